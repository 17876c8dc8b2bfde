import {
    ICommand, ObjectSchema, Parameters, ValidationException, ValidationResult, ValidationResultType
} from 'pip-services3-commons-nodex';

import { SessionsCommandContract } from './SessionsCommandContract';
import { SessionsErrorCode } from '../data/version1/SessionsErrorCatalogue';

/**
 * The declared arguments of a command as the caller gave them, checked against its schema:
 * each present only when the caller set it (to any value, false, 0 and "" included).
 */
export type SessionsCommandArguments = Readonly<Record<string, unknown>>;

export type SessionsCommandAction = (correlationId: string | null, args: SessionsCommandArguments) => Promise<unknown>;

/**
 * A command that validates its arguments once and lets the action's own errors through.
 *
 * The toolkit's Command wraps every error of its action into a 500 EXEC_FAILED
 * (so a 400 or 404 from the logic came out as 500), and its validation error carries
 * its details as "[object Object]". Here a validation failure is INVALID_DATA with a
 * message naming every bad field and details.field naming the first.
 */
export class SessionsCommand implements ICommand {
    private readonly _name: string;
    private readonly _schema: ObjectSchema;
    private readonly _action: SessionsCommandAction;
    private readonly _contract: SessionsCommandContract;

    public constructor(name: string, schema: ObjectSchema, contract: SessionsCommandContract, action: SessionsCommandAction) {
        this._name = name;
        this._schema = schema;
        this._contract = contract;
        this._action = action;
    }

    public getName(): string {
        return this._name;
    }

    public getSchema(): ObjectSchema {
        return this._schema;
    }

    /** Its documentation: what the OpenAPI document says of it. */
    public getContract(): SessionsCommandContract {
        return this._contract;
    }

    /**
     * Arguments for execute() from a parsed request body or message: its own properties,
     * copied without calling anything on it. Parameters.fromValue() calls the value's
     * hasOwnProperty(), which a caller's argument of that name replaces (a TypeError, a 500).
     * The transports call executeArguments() instead, which needs no copy.
     */
    public static argumentsOf(value: unknown): Parameters {
        const args = new Parameters();
        if (value == null || typeof value !== 'object') return args;
        for (const key of Object.keys(value)) {
            Object.defineProperty(args, key, {
                value: (value as Record<string, unknown>)[key], enumerable: true, writable: true, configurable: true
            });
        }
        return args;
    }

    /**
     * Checks each declared argument by its exact name. The toolkit's ObjectSchema first
     * lists the value's properties by reflection (walking the prototype chain, on every
     * request) and matches names case-insensitively; the property checks are the same.
     */
    public validate(args: Parameters): ValidationResult[] {
        return this.check(this.declaredValues(args));
    }

    /**
     * Runs the action with the declared arguments only, as the caller gave them. Read
     * through args.get(), false, 0 and "" came out as null (so `data: false` was refused
     * as missing and `data: 0` stored as null), and an argument named after one of
     * Parameters' methods (`get`, `getAsString`, ...) replaced it: a TypeError, a 500.
     */
    public execute(correlationId: string | null, args: Parameters): Promise<unknown> {
        return this.executeArguments(correlationId, args);
    }

    /**
     * execute() on the arguments as a transport has them (a parsed request body or message,
     * or Parameters): their own properties by the declared names are read, nothing else is
     * touched, and nothing is copied but the declared values. Fails (rejects) with 400
     * INVALID_DATA as execute() does.
     */
    public executeArguments(correlationId: string | null, args: unknown): Promise<unknown> {
        let values: SessionsCommandArguments;
        try {
            values = this.declaredValues(args);
            const results = this.check(values);
            // Straight on in the common case: no error, nothing to sort out.
            if (results.length > 0) {
                const errors = results.filter(result => result.getType() === ValidationResultType.Error);
                if (errors.length > 0) return Promise.reject(this.invalid(correlationId, errors));
            }
        } catch (err) {
            // An in-process caller's getter may throw: a rejection, as from any async command.
            return Promise.reject(err);
        }
        return this._action(correlationId, values);
    }

    /** 400 INVALID_DATA: a message naming every bad field, details.field naming the first. */
    private invalid(correlationId: string | null, errors: ValidationResult[]): ValidationException {
        const message = 'Invalid arguments for ' + this._name + ': ' + errors.map(error => error.getMessage()).join('; ');
        return new ValidationException(correlationId as string, message)
            .withCode(SessionsErrorCode.INVALID_DATA)
            .withDetails('field', errors[0].getPath())
            .withDetails('fields', errors.map(error => error.getPath()).join(',')) as ValidationException;
    }

    /**
     * Each declared argument the caller set, by that exact name (its own field), as
     * given; one the caller left out is not there. Anything but an object sets none.
     */
    private declaredValues(args: unknown): Record<string, unknown> {
        // Without a prototype, so an argument left out reads as undefined whatever its name.
        const values: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
        if (args == null || typeof args !== 'object') return values;
        for (const property of this._schema.getProperties() ?? []) {
            const name = property.getName();
            // Own and enumerable, as argumentsOf() copies them.
            if (!Object.prototype.propertyIsEnumerable.call(args, name)) continue;
            const value = (args as Record<string, unknown>)[name];
            if (value !== undefined) values[name] = value;
        }
        return values;
    }

    /**
     * The toolkit's object schemas (filter, paging) inspect a value by reflection and
     * throw on some shapes, such as an own `constructor` field that is not a function
     * (`{"paging": {"constructor": []}}` was a 500); a value a schema cannot even
     * inspect is rejected as malformed.
     */
    private check(values: SessionsCommandArguments): ValidationResult[] {
        const results: ValidationResult[] = [];
        for (const property of this._schema.getProperties() ?? []) {
            const name = property.getName();
            const value = values[name];
            try {
                property.performValidation('', value === undefined ? null : value, results);
            } catch {
                results.push(new ValidationResult(name, ValidationResultType.Error, SessionsErrorCode.MALFORMED_VALUE,
                    name + ' is malformed', null, null));
            }
        }
        return results;
    }
}
