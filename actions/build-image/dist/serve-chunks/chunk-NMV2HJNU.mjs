import { createRequire as __mlshipCreateRequire } from 'node:module';
const require = __mlshipCreateRequire(import.meta.url);
import{QUEUE,dequeue,enqueue,installTable,leaseOf,messageId,openBoss,queuedState}from"./chunk-W2U52T6E.mjs";import"./chunk-64TVMTE4.mjs";import"./chunk-RV4RKV6X.mjs";export{QUEUE,dequeue,enqueue,installTable,leaseOf,messageId,openBoss,queuedState};
