import { IValidationRule, Schema, ValidationResult, ValidationResultType } from 'pip-services3-commons-nodex';

import { SessionsFilter } from '../persistence/SessionsFilter';
import { SessionsErrorCode } from '../data/version1/SessionsErrorCatalogue';

/**
 * Checks each field of get_sessions' filter by SessionsFilter's own rules, on the value as
 * the caller sent it: every API runs its commands through here, and nothing converts a
 * value (FilterParams calls toString() on each) before it passes.
 */
export class SessionsFilterRule implements IValidationRule {
    public validate(path: string, schema: Schema, value: unknown, results: ValidationResult[]): void {
        // Not an object: the filter's own schema says so.
        if (value == null || typeof value !== 'object' || Array.isArray(value)) return;
        for (const field of SessionsFilter.Fields) {
            if (!Object.prototype.hasOwnProperty.call(value, field)) continue;
            const problem = SessionsFilter.problem(field, (value as Record<string, unknown>)[field]);
            if (problem == null) continue;
            const fieldPath = path + '.' + field;
            results.push(new ValidationResult(fieldPath, ValidationResultType.Error, SessionsErrorCode.INVALID_FILTER_VALUE,
                fieldPath + ' ' + problem, null, null));
        }
    }
}
