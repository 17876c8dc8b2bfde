import { IValidationRule, Schema, ValidationResult, ValidationResultType } from 'pip-services3-commons-nodex';
import { SessionsErrorCode } from '../data/version1/SessionsErrorCatalogue';

/** Rejects "" and all-blank strings where an identifier is required (a session for user "" is a bug). */
export class NonEmptyStringRule implements IValidationRule {
    public validate(path: string, schema: Schema, value: unknown, results: ValidationResult[]): void {
        if (typeof value === 'string' && value.trim() === '') {
            results.push(new ValidationResult(path, ValidationResultType.Error, SessionsErrorCode.VALUE_IS_EMPTY,
                path + ' must not be empty', 'NOT EMPTY', value));
        }
    }
}
