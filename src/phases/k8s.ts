import type { IIoK8sApiBatchV1PodFailurePolicy } from 'kubernetes-models/batch/v1/PodFailurePolicy';
import type { IIoK8sApiCoreV1PodSecurityContext } from 'kubernetes-models/v1/PodSecurityContext';
import type { IIoK8sApiCoreV1SecurityContext } from 'kubernetes-models/v1/SecurityContext';

/**
 * Pod-spec pieces shared by the workloads of mlops_engineer (serving, batch scoring) and kubernetes_architect
 * (training Jobs). Spot affinity and tolerations live in kubernetes_architect/capacity.ts, labels in
 * mlops_engineer/naming.ts.
 */

/** Restricted Pod Security profile: every container runs as a non-root user without privilege escalation. */
export const POD_SECURITY: IIoK8sApiCoreV1PodSecurityContext = { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } };
export const CONTAINER_SECURITY: IIoK8sApiCoreV1SecurityContext = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } };

/** Spot reclaims (the DisruptionTarget pod condition) are not failures of a Job: the pod is simply recreated. */
export const IGNORE_DISRUPTIONS: IIoK8sApiBatchV1PodFailurePolicy = { rules: [{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] }] };
