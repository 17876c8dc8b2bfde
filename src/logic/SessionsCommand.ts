import {
    ICommand, ObjectSchema, Parameters, ValidationException, ValidationResult, ValidationResultType
} from 'pip-services3-commons-nodex';

export type SessionsCommandAction = (correlationId: string | null, args: Parameters) => Promise<unknown>;

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

    public constructor(name: string, schema: ObjectSchema, action: SessionsCommandAction) {
        this._name = name;
        this._schema = schema;
        this._action = action;
    }

    public getName(): string {
        return this._name;
    }

    public getSchema(): ObjectSchema {
        return this._schema;
    }

    public validate(args: Parameters): ValidationResult[] {
        // The toolkit's reflection walks the whole prototype chain of what it validates;
        // on a Parameters instance that is dozens of methods per request, on a plain
        // copy of its keys only the keys.
        return this._schema.validate({ ...args });
    }

    public async execute(correlationId: string | null, args: Parameters): Promise<unknown> {
        const errors = this.validate(args).filter(result => result.getType() === ValidationResultType.Error);
        if (errors.length > 0) {
            const message = 'Invalid arguments for ' + this._name + ': '
                + errors.map(error => error.getMessage()).join('; ');
            throw new ValidationException(correlationId as string, message)
                .withCode('INVALID_DATA')
                .withDetails('field', errors[0].getPath())
                .withDetails('fields', errors.map(error => error.getPath()).join(','));
        }
        return await this._action(correlationId, args);
    }
}
