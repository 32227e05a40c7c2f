import { createRequire as __mlshipCreateRequire } from 'node:module';
const require = __mlshipCreateRequire(import.meta.url);
import{EXIT_AFTER_STOP_MS,closeOnSignals}from"./chunk-LFFL35E5.mjs";import"./chunk-RV4RKV6X.mjs";export{EXIT_AFTER_STOP_MS,closeOnSignals};
