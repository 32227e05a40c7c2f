import { createRequire as __mlshipCreateRequire } from 'node:module';
const require = __mlshipCreateRequire(import.meta.url);
var EXIT_AFTER_STOP_MS=1e3;function closeOnSignals(server,stderr=process.stderr){let signalled=false;const onSignal=signal=>{if(signalled){stderr.write(`mlship serve: second ${signal}, exiting now
`);process.exit(1)}signalled=true;void server.close()};process.on("SIGTERM",onSignal);process.on("SIGINT",onSignal);void server.closed.then(()=>{process.off("SIGTERM",onSignal);process.off("SIGINT",onSignal);if(signalled)setTimeout(()=>process.exit(),EXIT_AFTER_STOP_MS).unref()})}export{EXIT_AFTER_STOP_MS,closeOnSignals};
