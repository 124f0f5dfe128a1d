/*
 * commands.h: the functions behind the entries of the command table
 * (commands.c).  Each takes its command's entry and the arguments after
 * the command name, and returns an exit code (util.h).
 */
#ifndef TORC_CLI_COMMANDS_H
#define TORC_CLI_COMMANDS_H

struct command;

#define CMD_FN(name) int name(const struct command *, int, char **)

/* cmd_misc.c */
CMD_FN(cmd_ping);
CMD_FN(cmd_version);

/* cmd_workflows.c */
CMD_FN(cmd_wf_create);
CMD_FN(cmd_wf_list);
CMD_FN(cmd_wf_get);
CMD_FN(cmd_wf_update);
CMD_FN(cmd_wf_delete);
CMD_FN(cmd_wf_status);
CMD_FN(cmd_wf_cancel);
CMD_FN(cmd_wf_is_complete);

/* cmd_wfinit.c */
CMD_FN(cmd_wf_initialize);
CMD_FN(cmd_wf_reinitialize);
CMD_FN(cmd_wf_reset_status);

/* cmd_jobs.c */
CMD_FN(cmd_jobs_list);
CMD_FN(cmd_jobs_get);
CMD_FN(cmd_files_list);
CMD_FN(cmd_results_list);
CMD_FN(cmd_events_list);
CMD_FN(cmd_user_data_list);
CMD_FN(cmd_nodes_list);

/* cmd_groups.c */
CMD_FN(cmd_ag_create);
CMD_FN(cmd_ag_list);
CMD_FN(cmd_ag_get);
CMD_FN(cmd_ag_delete);
CMD_FN(cmd_ag_add_user);
CMD_FN(cmd_ag_remove_user);
CMD_FN(cmd_ag_list_members);
CMD_FN(cmd_ag_add_workflow);
CMD_FN(cmd_ag_remove_workflow);
CMD_FN(cmd_ag_list_groups);
CMD_FN(cmd_ag_list_workflow_groups);
CMD_FN(cmd_access_check);

/* run.c */
CMD_FN(cmd_run);

#endif
