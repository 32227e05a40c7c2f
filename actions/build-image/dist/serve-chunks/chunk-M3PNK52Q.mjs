import { createRequire as __mlshipCreateRequire } from 'node:module';
const require = __mlshipCreateRequire(import.meta.url);
import{QUEUE,dequeue,enqueue,installTable,leaseOf,messageId,openBoss,queuedState}from"./chunk-YJMAFWWF.mjs";import"./chunk-NUWP7JB2.mjs";import"./chunk-ASRFEDBY.mjs";import"./chunk-RV4RKV6X.mjs";export{QUEUE,dequeue,enqueue,installTable,leaseOf,messageId,openBoss,queuedState};
