import {
    ApplicationException, ApplicationExceptionFactory, BadRequestException, DataPage, DateTimeConverter, ErrorDescription,
    ErrorDescriptionFactory, PagingParams
} from 'pip-services3-commons-nodex';

import { SessionV1 } from '../../data/version1/SessionV1';
import {
    ErrorDescriptionMessage, PagingParamsMessage, SessionCloseUserRequestMessage, SessionIdRequestMessage, SessionMessage, SessionOpenRequestMessage, SessionPageMessage, SessionPageRequestMessage,
    SessionStoreDataRequestMessage, SessionUpdateUserRequestMessage
} from '../../protos/SessionsProtoV1';
import { ApplicationErrors } from '../../logic/ApplicationErrors';
import { SessionsErrorCode } from '../../data/version1/SessionsErrorCatalogue';
import { SessionsJsonParser } from '../SessionsJsonParser';

/** Command arguments as the HTTP API receives them in its JSON body. */
export type SessionsCommandArgs = Record<string, unknown>;

/**
 * Turns sessions_v1 requests into the arguments of the service's commands (the same an HTTP
 * body gives, so they are validated the same way), and results into sessions_v1 messages.
 * proto3 cannot tell "" from a missing field, so "" counts as not given (docs/grpc.md).
 */
export class SessionsGrpcConverterV1 {
    public static pageArgs(request: SessionPageRequestMessage): SessionsCommandArgs {
        const args: SessionsCommandArgs = {};
        const filter = request.filter ?? {};
        if (Object.keys(filter).length > 0) args.filter = { ...filter };
        if (request.paging != null) {
            const paging: Record<string, unknown> = { skip: request.paging.skip, total: request.paging.total };
            if (request.paging.take > 0) paging.take = request.paging.take;
            args.paging = paging;
        }
        return args;
    }

    public static idArgs(request: SessionIdRequestMessage): SessionsCommandArgs {
        return SessionsGrpcConverterV1.given({ session_id: SessionsGrpcConverterV1.text(request.session_id) });
    }

    public static openArgs(request: SessionOpenRequestMessage): SessionsCommandArgs {
        return SessionsGrpcConverterV1.given({
            user_id: SessionsGrpcConverterV1.text(request.user_id),
            user_name: SessionsGrpcConverterV1.text(request.user_name),
            address: SessionsGrpcConverterV1.text(request.address),
            client: SessionsGrpcConverterV1.text(request.client),
            user: SessionsGrpcConverterV1.parseField(request.user, 'user'),
            data: SessionsGrpcConverterV1.parseField(request.data, 'data')
        });
    }

    public static storeDataArgs(request: SessionStoreDataRequestMessage): SessionsCommandArgs {
        return SessionsGrpcConverterV1.given({
            session_id: SessionsGrpcConverterV1.text(request.session_id),
            data: SessionsGrpcConverterV1.parseField(request.data, 'data')
        });
    }

    public static updateUserArgs(request: SessionUpdateUserRequestMessage): SessionsCommandArgs {
        return SessionsGrpcConverterV1.given({
            session_id: SessionsGrpcConverterV1.text(request.session_id),
            user: SessionsGrpcConverterV1.parseField(request.user, 'user')
        });
    }

    public static closeUserArgs(request: SessionCloseUserRequestMessage): SessionsCommandArgs {
        return SessionsGrpcConverterV1.given({
            user_id: SessionsGrpcConverterV1.text(request.user_id),
            except_session_id: SessionsGrpcConverterV1.text(request.except_session_id)
        });
    }

    public static emptyArgs(): SessionsCommandArgs {
        return {};
    }

    /**
     * A session as the original sent it: ISO times, "" for a missing string or time; user
     * and data as JSON, "" when left out (lists) and "null" when null (a closed session),
     * which the original's client reads as null either way.
     */
    public static fromSession(session: SessionV1): SessionMessage {
        return {
            id: session.id,
            user_id: session.user_id ?? '',
            user_name: session.user_name ?? '',
            active: session.active === true,
            open_time: SessionsGrpcConverterV1.toIso(session.open_time),
            close_time: SessionsGrpcConverterV1.toIso(session.close_time),
            request_time: SessionsGrpcConverterV1.toIso(session.request_time),
            address: session.address ?? '',
            client: session.client ?? '',
            user: session.user === undefined ? '' : JSON.stringify(session.user),
            data: session.data === undefined ? '' : JSON.stringify(session.data),
            close_reason: session.close_reason ?? '',
            expires_at: SessionsGrpcConverterV1.toIso(session.expires_at)
        };
    }

    /** The original's public helpers, by its names, on @grpc/proto-loader's plain objects (docs/differences.md). */

    /** JSON text of a value; null for null, undefined and "" (the original's rule). */
    public static toJson(value: unknown): string | null {
        if (value == null || value === '') return null;
        return JSON.stringify(value);
    }

    /** The value of JSON text; null for null and "". Throws on text that is not JSON, as JSON.parse does. */
    public static fromJson(value: string | null | undefined): unknown {
        if (value == null || value === '') return null;
        return JSON.parse(value);
    }

    /** Copies entries into map: from an object's own properties, or from [key, value] pairs. */
    public static setMap(map: Record<string, unknown>, values: unknown): void {
        if (values == null) return;
        let source: unknown = values;
        const withToObject = source as { toObject?: () => unknown };
        if (typeof withToObject.toObject === 'function') source = withToObject.toObject();
        if (Array.isArray(source)) {
            for (const entry of source) {
                if (Array.isArray(entry)) map[String(entry[0])] = entry[1];
            }
            return;
        }
        if (typeof source !== 'object') return;
        for (const key of Object.keys(source as object)) map[key] = (source as Record<string, unknown>)[key];
    }

    /** A plain object of a map's entries (see setMap). */
    public static getMap(map: unknown): Record<string, unknown> {
        const values: Record<string, unknown> = {};
        SessionsGrpcConverterV1.setMap(values, map);
        return values;
    }

    public static fromPagingParams(paging: PagingParams | null): PagingParamsMessage | null {
        if (paging == null) return null;
        return { skip: paging.skip ?? 0, take: paging.take ?? 0, total: paging.total === true };
    }

    public static toPagingParams(message: PagingParamsMessage | null): PagingParams | null {
        if (message == null) return null;
        return new PagingParams(message.skip, message.take, message.total);
    }

    /** A session from its message: "" strings and times as absent, user and data parsed. */
    public static toSession(message: SessionMessage | null): SessionV1 | null {
        if (message == null) return null;
        const session = new SessionV1(message.id, message.user_id, message.user_name || undefined,
            message.address || undefined, message.client || undefined,
            DateTimeConverter.toNullableDateTime(message.open_time) ?? undefined);
        session.active = message.active === true;
        session.request_time = DateTimeConverter.toNullableDateTime(message.request_time) ?? session.open_time;
        const closeTime = DateTimeConverter.toNullableDateTime(message.close_time);
        if (closeTime != null) session.close_time = closeTime;
        if (message.close_reason) session.close_reason = message.close_reason;
        const expiresAt = DateTimeConverter.toNullableDateTime(message.expires_at);
        if (expiresAt != null) session.expires_at = expiresAt;
        session.user = SessionsGrpcConverterV1.fromJson(message.user);
        session.data = SessionsGrpcConverterV1.fromJson(message.data);
        return session;
    }

    /** The original's name for fromPage. */
    public static fromSessionPage(page: DataPage<SessionV1> | null): SessionPageMessage | null {
        return page == null ? null : SessionsGrpcConverterV1.fromPage(page);
    }

    public static toSessionPage(message: SessionPageMessage | null): DataPage<SessionV1> | null {
        if (message == null) return null;
        return new DataPage<SessionV1>(message.data.map(item => SessionsGrpcConverterV1.toSession(item) as SessionV1), message.total);
    }

    /** An error's description as a message; without its stack and cause, which this service never sends. */
    public static fromError(err: unknown): ErrorDescriptionMessage | null {
        if (err == null) return null;
        // The toolkit's factory knows only its own copy's exceptions; a caller's copy's are read by their fields.
        const description = ApplicationErrors.isApplicationException(err) && !(err instanceof ApplicationException)
            ? ErrorDescriptionFactory.create(Object.assign(new ApplicationException(), err)) : ErrorDescriptionFactory.create(err);
        const details: Record<string, string> = {};
        for (const [key, value] of Object.entries(description.details ?? {})) details[key] = String(value);
        return {
            type: description.type ?? '', category: description.category ?? '', code: description.code ?? '',
            correlation_id: description.correlation_id ?? '', status: String(description.status ?? ''),
            message: description.message ?? '', cause: '', stack_trace: '', details
        };
    }

    /** The typed exception of an error message; null for none (empty category and message). */
    public static toError(message: ErrorDescriptionMessage | null): ApplicationException | null {
        if (message == null || (message.category === '' && message.message === '')) return null;
        const description = Object.assign(new ErrorDescription(), {
            type: message.type, category: message.category, code: message.code, correlation_id: message.correlation_id,
            status: Number(message.status), message: message.message, cause: message.cause, stack_trace: message.stack_trace,
            details: SessionsGrpcConverterV1.getMap(message.details)
        });
        return ApplicationExceptionFactory.create(description);
    }

    /** total is 0 when it was not asked for: proto3 has no null. */
    public static fromPage(page: DataPage<SessionV1>): SessionPageMessage {
        return {
            total: page.total ?? 0,
            data: page.data.map(session => SessionsGrpcConverterV1.fromSession(session))
        };
    }

    /** The JSON text of user or data: "" is not given, anything else must parse. */
    private static parseField(text: string, field: string): unknown {
        if (text === '') return undefined;
        try {
            return SessionsJsonParser.parse(text);
        } catch (err) {
            const forbidden = SessionsJsonParser.isForbiddenKey(err);
            throw new BadRequestException(undefined, SessionsErrorCode.INVALID_JSON, forbidden
                ? field + ' must not contain __proto__ or constructor.prototype keys'
                : field + ' must be JSON text')
                .withDetails('field', field);
        }
    }

    /** A string field: "" is not given. */
    private static text(value: string): string | undefined {
        return value === '' ? undefined : value;
    }

    /** The arguments without those not given. */
    private static given(args: SessionsCommandArgs): SessionsCommandArgs {
        const result: SessionsCommandArgs = {};
        for (const [key, value] of Object.entries(args)) {
            if (value !== undefined) result[key] = value;
        }
        return result;
    }

    private static toIso(value: Date | string | undefined | null): string {
        if (value == null) return '';
        return value instanceof Date ? value.toISOString() : String(value);
    }
}
