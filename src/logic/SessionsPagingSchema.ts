import { PagingParamsSchema, ValidationResult } from 'pip-services3-commons-nodex';

/** The paging fields and whether each is a count (a number) or the total flag (a boolean). */
const COUNTS: Readonly<Record<string, boolean>> = { skip: true, take: true, total: false };

/**
 * get_sessions' paging schema: the toolkit's PagingParamsSchema (skip and take numbers,
 * total a boolean), with its checks skipped for a plain object whose fields are only these,
 * each of its type or null, for which they find nothing: they list the object's properties
 * by reflection (its prototype chain and accessors), a tenth of a listing's time. Any other
 * value goes through them as before.
 */
export class SessionsPagingSchema extends PagingParamsSchema {
    public performValidation(path: string, value: unknown, results: ValidationResult[]): void {
        if (SessionsPagingSchema.isPlainPaging(value)) return;
        super.performValidation(path, value, results);
    }

    /** Whether value is an object of Object's prototype whose enumerable fields (inherited too, as the toolkit sees them) are valid paging fields. */
    private static isPlainPaging(value: unknown): boolean {
        if (value == null || typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) return false;
        for (const key in value) {
            if (!Object.prototype.hasOwnProperty.call(COUNTS, key)) return false;
            const field = (value as Record<string, unknown>)[key];
            if (field !== null && typeof field !== (COUNTS[key] ? 'number' : 'boolean')) return false;
        }
        return true;
    }
}
