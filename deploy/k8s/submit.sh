#!/usr/bin/env bash
# Submits the subnetlab pipeline to Kubernetes in cluster mode (driver and executors are pods of
# the image of deploy/k8s/Dockerfile). Needs a Spark 3.5 distribution's spark-submit (it has the
# Kubernetes module) and a PersistentVolumeClaim that driver and executors mount at /shared for
# the outputs (ReadWriteMany). Untested here: this machine has no Kubernetes.
#
#   K8S_API=https://k8s.example.org:6443 IMAGE=<registry>/subnetlab:0.1.0 PVC=subnetlab-out \
#     deploy/k8s/submit.sh conf/demo.conf /shared/out/demo [--set KEY=VALUE ...]
set -euo pipefail
: "${K8S_API:?set K8S_API to the API server URL}"
: "${IMAGE:?set IMAGE to the subnetlab image}"
: "${PVC:?set PVC to a ReadWriteMany PersistentVolumeClaim for the outputs}"
config="$1" out="$2"; shift 2
volume=spark.kubernetes.driver.volumes.persistentVolumeClaim.shared
exec_volume=spark.kubernetes.executor.volumes.persistentVolumeClaim.shared
exec "${SPARK_SUBMIT:-spark-submit}" \
  --master "k8s://$K8S_API" --deploy-mode cluster --name subnetlab \
  --class org.subnetlab.jobs.PipelineJob \
  --conf spark.kubernetes.container.image="$IMAGE" \
  --conf spark.kubernetes.namespace="${NAMESPACE:-default}" \
  --conf spark.kubernetes.authenticate.driver.serviceAccountName="${SERVICE_ACCOUNT:-spark}" \
  --conf spark.executor.instances="${EXECUTORS:-4}" \
  --conf spark.executor.cores=1 --conf spark.executor.memory="${EXECUTOR_MEMORY:-3g}" \
  --conf spark.driver.memory="${DRIVER_MEMORY:-4g}" \
  --conf spark.executorEnv.OMP_NUM_THREADS=1 \
  --conf "$volume.options.claimName=$PVC" --conf "$volume.mount.path=/shared" \
  --conf "$exec_volume.options.claimName=$PVC" --conf "$exec_volume.mount.path=/shared" \
  local:///opt/subnetlab/subnetlab-jobs-cluster.jar "/opt/subnetlab/$config" --out "$out" "$@"
