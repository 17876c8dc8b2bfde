import * as secureJson from 'secure-json-parse';
import { BadRequestException, DataPage } from 'pip-services3-commons-nodex';

import { SessionV1 } from '../../data/version1/SessionV1';
import {
    SessionCloseUserRequestMessage, SessionIdRequestMessage, SessionMessage, SessionOpenRequestMessage, SessionPageMessage, SessionPageRequestMessage,
    SessionStoreDataRequestMessage, SessionUpdateUserRequestMessage
} from '../../protos/SessionsProtoV1';

/** Command arguments as the HTTP API receives them in its JSON body. */
export type SessionsCommandArgs = Record<string, unknown>;

/**
 * Turns sessions_v1 requests into the arguments of the service's commands, and results
 * into sessions_v1 messages.
 *
 * Requests become the same arguments an HTTP body gives, so the commands validate them
 * the same way. proto3 cannot tell an empty field from a missing one, so an empty string
 * counts as not given: a missing session_id or user_id is INVALID_DATA, as over HTTP (the
 * original looked up the session "" or opened a session for user ""). take 0 means the
 * default page size (the original returned an empty page).
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
            user: SessionsGrpcConverterV1.fromJson(request.user, 'user'),
            data: SessionsGrpcConverterV1.fromJson(request.data, 'data')
        });
    }

    public static storeDataArgs(request: SessionStoreDataRequestMessage): SessionsCommandArgs {
        return SessionsGrpcConverterV1.given({
            session_id: SessionsGrpcConverterV1.text(request.session_id),
            data: SessionsGrpcConverterV1.fromJson(request.data, 'data')
        });
    }

    public static updateUserArgs(request: SessionUpdateUserRequestMessage): SessionsCommandArgs {
        return SessionsGrpcConverterV1.given({
            session_id: SessionsGrpcConverterV1.text(request.session_id),
            user: SessionsGrpcConverterV1.fromJson(request.user, 'user')
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

    /** total is 0 when it was not asked for: proto3 has no null. */
    public static fromPage(page: DataPage<SessionV1>): SessionPageMessage {
        return {
            total: page.total ?? 0,
            data: page.data.map(session => SessionsGrpcConverterV1.fromSession(session))
        };
    }

    /** The JSON text of user or data: "" is not given, anything else must parse. */
    private static fromJson(text: string, field: string): unknown {
        if (text === '') return undefined;
        try {
            return secureJson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' });
        } catch (err) {
            const forbidden = /prototype|constructor/i.test((err as Error).message);
            throw new BadRequestException(undefined, 'INVALID_JSON', forbidden
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
