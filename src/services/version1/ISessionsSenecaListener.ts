/**
 * A listener of the Seneca API: a server speaking one of seneca-transport's wire
 * formats (tcp or http) that hands each message to Seneca through
 * SessionsSenecaDispatcherV1.
 */
export interface ISessionsSenecaListener {
    /** Starts listening; resolves with the port (the real one when 0 was asked for). */
    listen(host: string, port: number): Promise<number>;
    /** Stops listening, lets the messages running answer (up to graceMs), then drops every connection. */
    close(graceMs: number): Promise<void>;
    /** Connections open now (tcp: kept until they close; http: the server's sockets). */
    readonly connectionCount: number;
}
