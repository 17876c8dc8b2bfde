import { ApplicationException, ErrorCategory } from 'pip-services3-commons-nodex';
import { ApplicationErrors } from '../logic/ApplicationErrors';
import { SessionsErrorCode } from '../data/version1/SessionsErrorCatalogue';

/** The JSON every error response carries: what the toolkit's clients read, and nothing more. */
export interface HttpErrorJson {
    category: string;
    status: number;
    code: string;
    message: string;
    details?: Record<string, string>;
    correlation_id?: string;
}

/**
 * Turns any error into a status and a body without stacks, causes or file paths.
 *
 * Client errors (4xx) keep their code, message and details, because they describe the
 * request. Server errors (5xx) keep only their code and a generic message: their text
 * may carry internals (paths, driver messages) that are for the log, not the caller.
 */
export class HttpErrorBody {
    public static fromError(error: unknown, correlationId?: string | null): HttpErrorJson {
        const body = HttpErrorBody.describe(error);
        if (correlationId) body.correlation_id = correlationId;
        return body;
    }

    private static describe(error: unknown): HttpErrorJson {
        if (ApplicationErrors.isApplicationException(error)) {
            const app = error as ApplicationException;
            const status = Number(app.status) || 500;
            if (status >= 500) return HttpErrorBody.serverError(status, app.code || SessionsErrorCode.INTERNAL_ERROR, app.category);
            const body: HttpErrorJson = {
                category: app.category || HttpErrorBody.categoryOf(status),
                status,
                code: app.code || SessionsErrorCode.BAD_REQUEST,
                message: app.message
            };
            const details = HttpErrorBody.plainDetails(app);
            if (details != null) body.details = details;
            return body;
        }
        return HttpErrorBody.serverError(500, SessionsErrorCode.INTERNAL_ERROR);
    }

    private static serverError(status: number, code: string, category?: string): HttpErrorJson {
        return {
            category: category || (status === 503 ? ErrorCategory.NoResponse : ErrorCategory.Internal),
            status,
            code,
            message: status === 503
                ? 'The service is temporarily unavailable; try again later'
                : 'The service failed to process the request; see its log for details'
        };
    }

    private static categoryOf(status: number): string {
        switch (status) {
            case 401: case 403: return ErrorCategory.Unauthorized;
            case 404: return ErrorCategory.NotFound;
            case 405: case 415: return ErrorCategory.Unsupported;
            case 409: return ErrorCategory.Conflict;
            default: return ErrorCategory.BadRequest;
        }
    }

    private static plainDetails(error: ApplicationException): Record<string, string> | undefined {
        const details = error.details as unknown;
        if (details == null || typeof details !== 'object') return undefined;
        const result: Record<string, string> = {};
        for (const [key, value] of Object.entries(details as Record<string, unknown>)) {
            if (value == null || typeof value === 'object' || typeof value === 'function') continue;
            result[key] = String(value);
        }
        return Object.keys(result).length > 0 ? result : undefined;
    }
}
