import { IValidationRule, Schema, ValidationResult, ValidationResultType } from 'pip-services3-commons-nodex';
import { SessionsErrorCode } from '../data/version1/SessionsErrorCatalogue';

/**
 * Rejects user and data values nested deeper than a limit: the stores and transports write them
 * with recursive code, so a deeper value was a 500 later (docs/development.md#nesting-depth).
 * Measured without recursion, so no depth can overflow the check itself.
 */
export class NestingDepthRule implements IValidationRule {
    /** Levels of objects and arrays a stored value may have: the session around it keeps MongoDB under its 100. */
    public static readonly DefaultMaxDepth = 64;

    private readonly _maxDepth: number;

    public constructor(maxDepth = NestingDepthRule.DefaultMaxDepth) {
        this._maxDepth = maxDepth;
    }

    public validate(path: string, schema: Schema, value: unknown, results: ValidationResult[]): void {
        if (NestingDepthRule.exceeds(value, this._maxDepth)) {
            results.push(new ValidationResult(path, ValidationResultType.Error, SessionsErrorCode.VALUE_TOO_DEEP,
                path + ' must not nest objects and arrays deeper than ' + this._maxDepth + ' levels', this._maxDepth, null));
        }
    }

    /** Whether value holds objects or arrays more than maxDepth levels deep ({} is one level). */
    public static exceeds(value: unknown, maxDepth: number): boolean {
        const pending: Array<[unknown, number]> = [[value, 0]];
        while (pending.length > 0) {
            const [item, depth] = pending.pop()!;
            if (item == null || typeof item !== 'object') continue;
            if (depth + 1 > maxDepth) return true;
            for (const child of Object.values(item as Record<string, unknown>)) {
                if (child != null && typeof child === 'object') pending.push([child, depth + 1]);
            }
        }
        return false;
    }
}
