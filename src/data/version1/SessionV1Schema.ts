import { ObjectSchema, TypeCode } from 'pip-services3-commons-nodex';

/**
 * Validates a SessionV1 received from outside (clients, Seneca, files). user_name is optional:
 * open_session never required it, and the original's schema refused its own sessions.
 */
export class SessionV1Schema extends ObjectSchema {
    public constructor() {
        super();
        this.withOptionalProperty('id', TypeCode.String);
        this.withRequiredProperty('user_id', TypeCode.String);
        this.withOptionalProperty('user_name', TypeCode.String);
        this.withOptionalProperty('active', TypeCode.Boolean);
        this.withOptionalProperty('open_time', TypeCode.DateTime);
        this.withOptionalProperty('close_time', TypeCode.DateTime);
        this.withOptionalProperty('close_reason', TypeCode.String);
        this.withOptionalProperty('request_time', TypeCode.DateTime);
        this.withOptionalProperty('expires_at', TypeCode.DateTime);
        this.withOptionalProperty('address', TypeCode.String);
        this.withOptionalProperty('client', TypeCode.String);
        this.withOptionalProperty('user', null);
        this.withOptionalProperty('data', null);
    }
}
