// SPDX-License-Identifier: Apache-2.0
/**
 * Tables of the workload controllers: Deployment, ReplicaSet, StatefulSet,
 * DaemonSet, ReplicationController, ControllerRevision, Job and CronJob, as
 * upstream's printers.go prints them (columns, wide columns, cell values).
 */
import type { ControllerRevision, DaemonSet, Deployment, ReplicaSet, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { CronJob, Job, JobCondition } from 'kubernetes-types/batch/v1.js';
import type { PodTemplate, ReplicationController } from 'kubernetes-types/core/v1.js';
import {
  age,
  ageColumn,
  column,
  containerCells,
  containersColumn,
  imagesColumn,
  nameColumn,
  printer,
  selectorColumn,
} from './columns.js';
import { humanDuration, parseTime, timeSince } from './duration.js';
import { formatLabelSelector, formatLabels, selectorString } from './label-format.js';

/** deploymentTableConvertor: NAME READY UP-TO-DATE AVAILABLE AGE, wide CONTAINERS IMAGES SELECTOR. */
export const deploymentTableConvertor = printer<Deployment>(
  [
    nameColumn(),
    column('Ready', 'string', 'Ready pods out of desired replicas.'),
    column('Up-to-date', 'string', 'Pods running the latest pod template.'),
    column('Available', 'string', 'Pods ready for at least minReadySeconds.'),
    ageColumn(),
    containersColumn(),
    imagesColumn(),
    selectorColumn(),
  ],
  (d, now) => {
    const [names, images] = containerCells(d.spec?.template?.spec?.containers);
    // printDeployment uses the bare selector string (empty, not <none>) and <invalid> on error.
    const selector = selectorString(d.spec?.selector) ?? '<invalid>';
    return [
      d.metadata?.name ?? '',
      `${d.status?.readyReplicas ?? 0}/${replicas(d.spec?.replicas)}`,
      d.status?.updatedReplicas ?? 0,
      d.status?.availableReplicas ?? 0,
      age(d, now),
      names,
      images,
      selector,
    ];
  },
);

/** replicaSetTableConvertor: NAME DESIRED CURRENT READY AGE, wide CONTAINERS IMAGES SELECTOR. */
export const replicaSetTableConvertor = printer<ReplicaSet>(replicaColumns(), (rs, now) => {
  const [names, images] = containerCells(rs.spec?.template?.spec?.containers);
  return [
    rs.metadata?.name ?? '',
    replicas(rs.spec?.replicas),
    rs.status?.replicas ?? 0,
    rs.status?.readyReplicas ?? 0,
    age(rs, now),
    names,
    images,
    formatLabelSelector(rs.spec?.selector),
  ];
});

/** replicationControllerTableConvertor: like ReplicaSets, with a map selector. */
export const replicationControllerTableConvertor = printer<ReplicationController>(replicaColumns(), (rc, now) => {
  const [names, images] = containerCells(rc.spec?.template?.spec?.containers);
  return [
    rc.metadata?.name ?? '',
    replicas(rc.spec?.replicas),
    rc.status?.replicas ?? 0,
    rc.status?.readyReplicas ?? 0,
    age(rc, now),
    names,
    images,
    formatLabels(rc.spec?.selector),
  ];
});

/** podTemplateTableConvertor: NAME CONTAINERS IMAGES POD LABELS (upstream printPodTemplate). */
export const podTemplateTableConvertor = printer<PodTemplate>(
  [
    nameColumn(),
    column('Containers', 'string', 'Names of each container in the template.'),
    column('Images', 'string', 'Images referenced by each container in the template.'),
    column('Pod Labels', 'string', 'The labels for the pod template.'),
  ],
  (t) => {
    const [names, images] = containerCells(t.template?.spec?.containers);
    return [t.metadata?.name ?? '', names, images, formatLabels(t.template?.metadata?.labels)];
  },
);

function replicaColumns() {
  return [
    nameColumn(),
    column('Desired', 'integer', 'Number of replicas wanted (spec.replicas).'),
    column('Current', 'integer', 'Number of replicas that exist (status.replicas).'),
    column('Ready', 'integer', 'Number of ready replicas (status.readyReplicas).'),
    ageColumn(),
    containersColumn(),
    imagesColumn(),
    selectorColumn(),
  ];
}

/** statefulSetTableConvertor: NAME READY AGE, wide CONTAINERS IMAGES. */
export const statefulSetTableConvertor = printer<StatefulSet>(
  [nameColumn(), column('Ready', 'string', 'Ready pods out of desired replicas.'), ageColumn(), containersColumn(), imagesColumn()],
  (sts, now) => {
    const [names, images] = containerCells(sts.spec?.template?.spec?.containers);
    return [
      sts.metadata?.name ?? '',
      `${sts.status?.readyReplicas ?? 0}/${replicas(sts.spec?.replicas)}`,
      age(sts, now),
      names,
      images,
    ];
  },
);

/** daemonSetTableConvertor: NAME DESIRED CURRENT READY UP-TO-DATE AVAILABLE NODE SELECTOR AGE, wide CONTAINERS IMAGES SELECTOR. */
export const daemonSetTableConvertor = printer<DaemonSet>(
  [
    nameColumn(),
    column('Desired', 'integer', 'Nodes that should run the daemon pod.'),
    column('Current', 'integer', 'Nodes running at least one daemon pod.'),
    column('Ready', 'integer', 'Nodes whose daemon pod is ready.'),
    column('Up-to-date', 'integer', 'Nodes running the latest daemon pod template.'),
    column('Available', 'integer', 'Nodes whose daemon pod is available.'),
    column('Node Selector', 'string', 'Node selector of the pod template.'),
    ageColumn(),
    containersColumn(),
    imagesColumn(),
    selectorColumn(),
  ],
  (ds, now) => {
    const [names, images] = containerCells(ds.spec?.template?.spec?.containers);
    const st = ds.status;
    return [
      ds.metadata?.name ?? '',
      st?.desiredNumberScheduled ?? 0,
      st?.currentNumberScheduled ?? 0,
      st?.numberReady ?? 0,
      st?.updatedNumberScheduled ?? 0,
      st?.numberAvailable ?? 0,
      formatLabels(ds.spec?.template?.spec?.nodeSelector),
      age(ds, now),
      names,
      images,
      formatLabelSelector(ds.spec?.selector),
    ];
  },
);

/** controllerRevisionTableConvertor: NAME CONTROLLER REVISION AGE. */
export const controllerRevisionTableConvertor = printer<ControllerRevision>(
  [
    nameColumn(),
    column('Controller', 'string', 'The object that owns this revision.'),
    column('Revision', 'string', 'Revision number of the state this object holds.'),
    ageColumn(),
  ],
  (cr, now) => {
    const owner = cr.metadata?.ownerReferences?.find((r) => r.controller === true);
    let controller = '<none>';
    if (owner) {
      // formatResourceName: lower-cased `kind.group/name`, just `kind/name` in the core group.
      const slash = owner.apiVersion.indexOf('/');
      const group = slash < 0 ? '' : owner.apiVersion.slice(0, slash);
      const kind = group ? `${owner.kind}.${group}` : owner.kind;
      controller = kind ? `${kind.toLowerCase()}/${owner.name}` : owner.name;
    }
    return [cr.metadata?.name ?? '', controller, cr.revision, age(cr, now)];
  },
);

/** jobTableConvertor: NAME STATUS COMPLETIONS DURATION AGE, wide CONTAINERS IMAGES SELECTOR. */
export const jobTableConvertor = printer<Job>(
  [
    nameColumn(),
    column('Status', 'string', 'Overall state of the job.'),
    column('Completions', 'string', 'Succeeded pods out of the completions wanted.'),
    column('Duration', 'string', 'How long the job ran, or has been running.'),
    ageColumn(),
    containersColumn(),
    imagesColumn(),
    selectorColumn('Label selector of the pods of the job.'),
  ],
  (job, now) => {
    const [names, images] = containerCells(job.spec?.template?.spec?.containers);
    return [
      job.metadata?.name ?? '',
      jobStatus(job),
      jobCompletions(job),
      jobDuration(job, now),
      age(job, now),
      names,
      images,
      formatLabelSelector(job.spec?.selector),
    ];
  },
);

function jobCompletions(job: Job): string {
  const succeeded = job.status?.succeeded ?? 0;
  const completions = job.spec?.completions;
  if (completions !== undefined && completions !== null) return `${succeeded}/${completions}`;
  const parallelism = job.spec?.parallelism ?? 0;
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

function jobDuration(job: Job, now: Date): string {
  const start = parseTime(job.status?.startTime);
  if (start === undefined) return '';
  const end = parseTime(job.status?.completionTime) ?? now.getTime();
  return humanDuration(end - start);
}

/** jobStatus follows printJob: terminal conditions first, then deletion, suspension and failure target. */
function jobStatus(job: Job): string {
  const conditions = job.status?.conditions;
  if (jobCondition(conditions, 'Complete')) return 'Complete';
  if (jobCondition(conditions, 'Failed')) return 'Failed';
  if (job.metadata?.deletionTimestamp) return 'Terminating';
  if (jobCondition(conditions, 'Suspended')) return 'Suspended';
  if (jobCondition(conditions, 'FailureTarget')) return 'FailureTarget';
  return 'Running';
}

function jobCondition(conditions: JobCondition[] | undefined, type: string): boolean {
  // The first condition of the type decides, as upstream's hasJobCondition.
  return (conditions ?? []).find((c) => c.type === type)?.status === 'True';
}

/** cronJobTableConvertor: NAME SCHEDULE TIMEZONE SUSPEND ACTIVE LAST SCHEDULE AGE, wide CONTAINERS IMAGES SELECTOR. */
export const cronJobTableConvertor = printer<CronJob>(
  [
    nameColumn(),
    column('Schedule', 'string', 'Cron schedule of the job.'),
    column('Timezone', 'string', 'Time zone the schedule is read in.'),
    column('Suspend', 'boolean', 'Whether new runs are suspended.'),
    column('Active', 'integer', 'Number of jobs running now.'),
    column('Last Schedule', 'string', 'Time since the job was last scheduled.'),
    ageColumn(),
    containersColumn(),
    imagesColumn(),
    selectorColumn('Label selector of the pods of the job.'),
  ],
  (cj, now) => {
    const jobSpec = cj.spec?.jobTemplate?.spec;
    const [names, images] = containerCells(jobSpec?.template?.spec?.containers);
    const last = cj.status?.lastScheduleTime;
    const suspend = cj.spec?.suspend;
    return [
      cj.metadata?.name ?? '',
      cj.spec?.schedule ?? '',
      cj.spec?.timeZone ?? '<none>',
      // printBoolPtr: a string, even though the column says boolean.
      suspend === undefined || suspend === null ? '<unset>' : suspend ? 'True' : 'False',
      cj.status?.active?.length ?? 0,
      last ? timeSince(last, now) : '<none>',
      age(cj, now),
      names,
      images,
      formatLabelSelector(jobSpec?.selector),
    ];
  },
);

/** replicas reads spec.replicas, which upstream defaults to 1 when unset. */
function replicas(v: number | undefined): number {
  return v ?? 1;
}
