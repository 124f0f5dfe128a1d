/*
 * commands.c: the table of torc's commands, with the usage line and help
 * text `--help` prints for each.  Names and options follow the real Torc
 * CLI (reference §5) where it has them.
 */
#include <stddef.h>

#include "cli.h"
#include "commands.h"

#define LIST_OPTS \
	"  --limit N           show at most N items (default: all, paged)\n" \
	"  --offset N          skip the first N items\n" \
	"  --sort-by COLUMN    sort on this column (default id)\n" \
	"  --reverse-sort      sort descending\n"

const struct command commands[] = {
	{ NULL, "ping", "",
	  "Checks that the server answers (GET /ping).\n", cmd_ping, 0 },
	{ NULL, "version", "",
	  "Prints this torc's version and the server's.  A server with\n"
	  "another major version is an error; another minor or patch level\n"
	  "is a warning.\n", cmd_version, CMD_NO_VCHECK },
	{ NULL, "run",
	  "SPEC|ID [--max-parallel-jobs N] [--num-cpus N] [--memory-gb G]\n"
	  "       [--num-gpus N] [-o DIR] [-p SECONDS] [--skip-checks]",
	  "Runs a workflow's jobs on this machine.  Given a spec file, first\n"
	  "creates the workflow from it; an uninitialized workflow is\n"
	  "initialized (reset, new run id, initialize_jobs).  Then registers a\n"
	  "compute node and loops until the workflow is complete: reaps\n"
	  "finished jobs and reports them (complete_job with return code and\n"
	  "run time), claims ready jobs that fit the free slots, starts each\n"
	  "one (bash -c COMMAND, stdout/stderr to\n"
	  "DIR/job_stdio/job_wf<W>_j<J>_r<R>_a<A>.o/.e).  Prints a summary\n"
	  "table at the end.  Ctrl-C terminates the running jobs and reports\n"
	  "them terminated.  Exits 0 only if every job completed.\n\n"
	  "  --max-parallel-jobs N  run at most N jobs at once (claim_next_jobs);\n"
	  "                         without it, claim by free resources\n"
	  "  --num-cpus N           cpus to offer (default: detected)\n"
	  "  --memory-gb G          memory to offer (default: detected)\n"
	  "  --num-gpus N           gpus to offer (default 0)\n"
	  "  -o, --output-dir DIR   logs and job output (default: output)\n"
	  "  -p, --poll-interval S  seconds between polls (default 5)\n"
	  "  --skip-checks          initialize even if input files are missing\n",
	  cmd_run, 0 },
	{ "workflows", "create", "SPEC [--dry-run]",
	  "Creates a workflow from a spec file (.json, .json5, .yaml/.yml):\n"
	  "the workflow, its files, user data, resource requirements,\n"
	  "schedulers, failure handlers, jobs (by dependency level, in\n"
	  "batches) and actions.  On any failure the half-made workflow is\n"
	  "deleted.  Jobs stay uninitialized.\n\n"
	  "  --dry-run   load and check the spec, print what would be created\n",
	  cmd_wf_create, CMD_NO_VCHECK },
	{ "workflows", "list",
	  "[--user U | --all-users] [--archived-only | --include-archived]",
	  "Lists your workflows (owner = your user name), not archived ones.\n\n"
	  "  --user U            workflows owned by U\n"
	  "  --all-users         every workflow you may see\n"
	  "  --archived-only     only archived workflows\n"
	  "  --include-archived  archived ones too\n"
	  LIST_OPTS, cmd_wf_list, 0 },
	{ "workflows", "get", "ID", "Shows a workflow.\n", cmd_wf_get, 0 },
	{ "workflows", "update",
	  "ID [--name N] [--description D] [--owner-user U]",
	  "Changes a workflow's name, description or owner.\n",
	  cmd_wf_update, 0 },
	{ "workflows", "delete", "ID... [--no-prompts]",
	  "Deletes workflows and everything in them.  Every id is checked\n"
	  "first: if one does not exist, nothing is deleted.\n",
	  cmd_wf_delete, 0 },
	{ "workflows", "status", "ID",
	  "Shows the workflow's status: run_id, is_canceled, is_archived.\n",
	  cmd_wf_status, 0 },
	{ "workflows", "initialize", "ID [--force] [--no-prompts]",
	  "Prepares a workflow to run: checks that the input files no job\n"
	  "produces exist and that no needed user data is missing, resets\n"
	  "the workflow and job statuses, starts a new run id, records the\n"
	  "files' modification times and runs initialize_jobs (jobs without\n"
	  "unfinished dependencies become ready, the others blocked).\n\n"
	  "  --force   go on despite missing input files or user data\n",
	  cmd_wf_initialize, 0 },
	{ "workflows", "reinitialize", "ID [--force]",
	  "Prepares a workflow that ran before to run again: starts a new\n"
	  "run id, resets the jobs whose input files changed or whose output\n"
	  "files are gone (and the jobs downstream), then initializes only\n"
	  "the uninitialized jobs.  Completed jobs stay completed.\n\n"
	  "  --force   also when jobs are running\n",
	  cmd_wf_reinitialize, 0 },
	{ "workflows", "cancel", "ID",
	  "Cancels a workflow: running and pending jobs become canceled and\n"
	  "nothing more is claimed.\n", cmd_wf_cancel, 0 },
	{ "workflows", "reset-status",
	  "ID [--failed-only] [-r|--reinitialize] [--force] [--no-prompts]",
	  "Resets the workflow's status flags and its jobs to uninitialized.\n\n"
	  "  --failed-only       only failed, canceled and terminated jobs\n"
	  "                      (and everything downstream of them)\n"
	  "  -r, --reinitialize  then reinitialize (see workflows reinitialize)\n"
	  "  --force             also when jobs are running\n",
	  cmd_wf_reset_status, 0 },
	{ "workflows", "is-complete", "ID",
	  "Tells whether every job is done (or the workflow canceled).\n",
	  cmd_wf_is_complete, 0 },
	{ "jobs", "list",
	  "WORKFLOW_ID [--status S] [--upstream-job-id J] "
	  "[--include-relationships]",
	  "Lists a workflow's jobs.\n\n"
	  "  --status S               only jobs in status S (ready, running,\n"
	  "                           completed, failed, ...)\n"
	  "  --upstream-job-id J      only jobs that depend on job J\n"
	  "  --include-relationships  add the dependency, file and user-data\n"
	  "                           id lists\n"
	  LIST_OPTS, cmd_jobs_list, 0 },
	{ "jobs", "get", "ID", "Shows a job with its relationships.\n",
	  cmd_jobs_get, 0 },
	{ "files", "list", "WORKFLOW_ID [--output-only]",
	  "Lists a workflow's files.\n\n"
	  "  --output-only  only files some job produces\n"
	  LIST_OPTS, cmd_files_list, 0 },
	{ "results", "list",
	  "WORKFLOW_ID [--job-id J] [--run-id R] [--all-runs]",
	  "Lists a workflow's job results (of the latest completion of each\n"
	  "job unless --all-runs).\n\n"
	  "  --job-id J   only job J's results\n"
	  "  --run-id R   only results of run R\n"
	  "  --all-runs   results of every run and attempt\n"
	  LIST_OPTS, cmd_results_list, 0 },
	{ "events", "list", "WORKFLOW_ID [--after-timestamp MS]",
	  "Lists a workflow's events.\n\n"
	  "  --after-timestamp MS  only events after this time (epoch ms)\n"
	  LIST_OPTS, cmd_events_list, 0 },
	{ "user-data", "list", "WORKFLOW_ID",
	  "Lists a workflow's user data.\n\n" LIST_OPTS, cmd_user_data_list, 0 },
	{ "compute-nodes", "list", "WORKFLOW_ID",
	  "Lists the compute nodes that ran a workflow's jobs.\n\n" LIST_OPTS,
	  cmd_nodes_list, 0 },
	{ "access-groups", "create", "NAME [-d DESCRIPTION]",
	  "Creates an access group (server administrators only when access\n"
	  "control is on).\n\n"
	  "  -d, --description D  what the group is for\n",
	  cmd_ag_create, 0 },
	{ "access-groups", "list", "", "Lists the access groups.\n\n" LIST_OPTS,
	  cmd_ag_list, 0 },
	{ "access-groups", "get", "GROUP_ID", "Shows an access group.\n",
	  cmd_ag_get, 0 },
	{ "access-groups", "delete", "GROUP_ID", "Deletes an access group.\n",
	  cmd_ag_delete, 0 },
	{ "access-groups", "add-user", "GROUP_ID USER [--role member|admin]",
	  "Adds a user to a group.\n\n"
	  "  --role R   member (default) or admin (may manage the group)\n",
	  cmd_ag_add_user, 0 },
	{ "access-groups", "remove-user", "GROUP_ID USER",
	  "Removes a user from a group.\n", cmd_ag_remove_user, 0 },
	{ "access-groups", "list-members", "GROUP_ID",
	  "Lists a group's members.\n\n" LIST_OPTS, cmd_ag_list_members, 0 },
	{ "access-groups", "add-workflow", "WORKFLOW_ID GROUP_ID",
	  "Shares a workflow with a group's members.\n",
	  cmd_ag_add_workflow, 0 },
	{ "access-groups", "remove-workflow", "WORKFLOW_ID GROUP_ID",
	  "Stops sharing a workflow with a group.\n",
	  cmd_ag_remove_workflow, 0 },
	{ "access-groups", "list-groups", "[USER]",
	  "Lists the groups a user belongs to (default: you).\n\n" LIST_OPTS,
	  cmd_ag_list_groups, 0 },
	{ "access-groups", "list-workflow-groups", "WORKFLOW_ID",
	  "Lists the groups a workflow is shared with.\n\n" LIST_OPTS,
	  cmd_ag_list_workflow_groups, 0 },
	{ NULL, "access-check", "WORKFLOW_ID USER",
	  "Tells whether USER may access the workflow (owner, or member of a\n"
	  "group it is shared with).  Exits 0 if so, 1 if not.\n",
	  cmd_access_check, 0 },
	{ NULL, NULL, NULL, NULL, NULL, 0 }
};
