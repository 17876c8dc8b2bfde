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

    /**
     * Checks each declared argument by its exact name. The toolkit's ObjectSchema first
     * lists the value's properties by reflection (walking the prototype chain, on every
     * request) and matches names case-insensitively; the property checks are the same.
     */
    public validate(args: Parameters): ValidationResult[] {
        const results: ValidationResult[] = [];
        for (const property of this._schema.getProperties() ?? []) {
            const value: unknown = args.get(property.getName());
            property.performValidation('', value === undefined ? null : value, results);
        }
        return results;
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
