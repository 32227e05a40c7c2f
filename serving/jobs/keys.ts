/**
 * Where a job's objects live in the model store's bucket: `jobs/<id>/input.csv` and
 * `jobs/<id>/results.csv`. Apart from objects.ts so that the HTTP routes name them without
 * loading the store's AWS SDK.
 */
export type JobObjectName = 'input.csv' | 'results.csv';

export const jobKey = (id: string, name: JobObjectName): string => `jobs/${id}/${name}`;
