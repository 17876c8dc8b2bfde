/**
 * The part of a Seneca 3 instance this package uses. Seneca's own typings declare every
 * instance as `any`; these say what the Seneca API, plugin and client plugin rely on.
 */

/** A Seneca message: the pattern fields, the arguments and Seneca's `...$` meta fields. */
export type SenecaMessage = Record<string, unknown>;

/** Seneca's reply callback: an error, or null and a result (an object, an array or null). */
export type SenecaReply = (err: Error | null, result?: unknown) => void;

/** An action; `this` is the delegate of the instance the message arrived at. */
export type SenecaAction = (this: ISenecaInstance, msg: SenecaMessage, reply: SenecaReply) => void;

/** One entry of Seneca's log, as given to a custom logger (only the fields read here). */
export interface SenecaLogEntry {
    level?: number;
    level_name?: string;
    kind?: string;
    case?: string;
    pattern?: string;
    err?: { code?: unknown; message?: unknown };
    data?: unknown;
}

/** What an inward task may answer instead of letting the message reach an action. */
export interface SenecaInwardStop {
    op: 'stop';
    out: { kind: 'result'; result: unknown };
}

/** The argument Seneca's inward tasks get (ordu's spec), reduced to the message. */
export interface SenecaInwardSpec {
    data: { msg: SenecaMessage };
}

export type SenecaInwardTask = (spec: SenecaInwardSpec) => SenecaInwardStop | undefined;

export interface SenecaLog {
    debug(entry: Record<string, unknown>): void;
    info(entry: Record<string, unknown>): void;
    warn(entry: Record<string, unknown>): void;
    error(entry: Record<string, unknown>): void;
    fatal(entry: Record<string, unknown>): void;
}

export interface ISenecaInstance {
    readonly root: ISenecaInstance;
    readonly log: SenecaLog;
    /** Seneca's ordered processing steps (ordu); inward runs before an action is chosen. */
    readonly order: {
        inward: { add(task: SenecaInwardTask, position: { before?: string; after?: string }): void };
    };

    add(pattern: SenecaMessage, action: SenecaAction): ISenecaInstance;
    act(msg: SenecaMessage, reply: SenecaReply): ISenecaInstance;
    /** The action this one overrides (inside an action only). */
    prior(msg: SenecaMessage, reply: SenecaReply): void;
    use(plugin: unknown, options?: unknown): ISenecaInstance;
    /** Plugin delegates only: the plugin's start-up, run before the instance is ready. */
    init(start: (done: (err?: Error) => void) => void): void;
    listen(config: SenecaMessage, done: (err: Error | null, result?: SenecaMessage) => void): ISenecaInstance;
    client(config: SenecaMessage): ISenecaInstance;
    ready(done: (err?: Error | null) => void): ISenecaInstance;
    close(done: (err?: Error | null) => void): ISenecaInstance;
}
