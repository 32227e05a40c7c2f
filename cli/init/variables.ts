/** The repository variables the workflows read (`vars.*`): variables, not secrets; no AWS keys. */
export const REPOSITORY_VARIABLES: readonly { readonly name: string; readonly what: string }[] = [
  { name: 'AWS_REGION', what: 'the region of the mlship stack' },
  { name: 'MLSHIP_BUCKET', what: 'the model bucket (the store is s3://<bucket>)' },
  { name: 'MLSHIP_TRAIN_ROLE_ARN', what: 'read-only role: pull requests read the champions' },
  { name: 'MLSHIP_PUBLISH_ROLE_ARN', what: 'publish role: may only add new model objects' },
  { name: 'MLSHIP_DEPLOY_ROLE_ARN', what: 'deploy role: main / the production environment' },
  { name: 'MLSHIP_ECR_REPOSITORY', what: 'the serving image repository URI (<account>.dkr.ecr.<region>.amazonaws.com/<name>)' },
  { name: 'MLSHIP_ECS_CLUSTER', what: 'the ECS cluster' },
  { name: 'MLSHIP_ECS_SERVICE', what: 'the ECS service' },
  { name: 'MLSHIP_ECS_CONTAINER', what: 'the container whose image a deploy replaces' },
  { name: 'MLSHIP_SERVICE_URL', what: 'the service URL (the environment link and the smoke test)' },
];
