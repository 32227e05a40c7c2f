import { createRequire as __mlshipCreateRequire } from 'node:module';
const require = __mlshipCreateRequire(import.meta.url);
import{FINAL_STATUSES,JOB_STATUSES,MAX_LISTED_SKIPS,jobDocumentSchema,jobListSchema,jobStatusSchema,jobSubmittedSchema,onErrorSchema,rowErrorSchema}from"./chunk-UQWW66GQ.mjs";import"./chunk-T5LV6PEL.mjs";import"./chunk-ASRFEDBY.mjs";import"./chunk-RV4RKV6X.mjs";export{FINAL_STATUSES,JOB_STATUSES,MAX_LISTED_SKIPS,jobDocumentSchema,jobListSchema,jobStatusSchema,jobSubmittedSchema,onErrorSchema,rowErrorSchema};
