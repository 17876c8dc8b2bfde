import { CompositeCounters, CompositeLogger, CompositeTracer } from 'pip-services3-components-nodex';
// Deep import: the package's index loads restify, which does not load on Node 24.
import { InstrumentTiming } from 'pip-services3-rpc-nodex/obj/src/services/InstrumentTiming';

/** How the remote clients instrument a call, as the toolkit's clients do. */
export class SessionsCallInstruments {
    /** Logs, counts (<name>.call_count, <name>.call_time) and traces a call; end the timing with its outcome. */
    public static begin(logger: CompositeLogger, counters: CompositeCounters, tracer: CompositeTracer,
        correlationId: string | null, name: string): InstrumentTiming {
        // The toolkit's typings want a string; null is "no correlation id" there too.
        const cid = correlationId as string;
        logger.trace(cid, 'Calling %s method', name);
        counters.incrementOne(name + '.call_count');
        const counterTiming = counters.beginTiming(name + '.call_time');
        // No operation name, as the toolkit's clients trace it.
        const traceTiming = tracer.beginTrace(cid, name, null as unknown as string);
        return new InstrumentTiming(cid, name, 'call', logger, counters, counterTiming, traceTiming);
    }
}
