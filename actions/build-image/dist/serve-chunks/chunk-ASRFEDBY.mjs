import { createRequire as __mlshipCreateRequire } from 'node:module';
const require = __mlshipCreateRequire(import.meta.url);
import{randomBytes}from"node:crypto";var JOB_ID=/^[0-9a-f]{32}$/;var newJobId=()=>randomBytes(16).toString("hex");var jobLinks=id=>({self:`/v1/jobs/${id}`,results:`/v1/jobs/${id}/results`});export{JOB_ID,newJobId,jobLinks};
