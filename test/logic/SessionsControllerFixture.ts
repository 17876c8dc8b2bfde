import { ConfigParams, Descriptor, References } from 'pip-services3-commons-nodex';

import { SessionsController } from '../../src/logic/SessionsController';
import { ISessionsPersistence } from '../../src/persistence/ISessionsPersistence';
import { TEST_AUDIT_KEY } from '../fixtures/TestAuditKey';

export const MINUTE = 60000;

/** A controller on the given store with the given options (their names without "options."). */
export function buildController<T extends SessionsController = SessionsController>(persistence: ISessionsPersistence,
    options: Record<string, number | string> = {}, controller: T = new SessionsController() as T): T {
    const tuples: unknown[] = ['options.audit_key', TEST_AUDIT_KEY];
    for (const [key, value] of Object.entries(options)) tuples.push('options.' + key, value);
    controller.configure(ConfigParams.fromTuples(...tuples));
    controller.setReferences(References.fromTuples(
        new Descriptor('service-sessions', 'persistence', 'test', 'default', '1.0'), persistence
    ));
    return controller;
}

/** Polls condition every 20 ms until it holds or timeoutMs have passed; whether it held. */
export async function waitFor(condition: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
        if (await condition()) return true;
        await new Promise(resolve => setTimeout(resolve, 20));
    }
    return await condition();
}

/** The error a call fails with; fails the test if it succeeds. */
export async function refusal<E = unknown>(call: Promise<unknown>): Promise<E> {
    const outcome = await call.then(() => ({ failed: false as const }), (error: unknown) => ({ failed: true as const, error }));
    if (!outcome.failed) throw new Error('The call must fail');
    return outcome.error as E;
}
