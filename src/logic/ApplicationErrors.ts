import { ApplicationException } from 'pip-services3-commons-nodex';

/**
 * Recognises the toolkit's typed errors by their fields, not by class: an error thrown
 * by a component built on another copy of pip-services3-commons-nodex (the caller's own
 * store, say) is an ApplicationException of another class, and instanceof misses it.
 */
export class ApplicationErrors {
    public static isApplicationException(error: unknown): error is ApplicationException {
        return error instanceof ApplicationException || (error != null && typeof error === 'object'
            && typeof (error as ApplicationException).category === 'string'
            && typeof (error as ApplicationException).code === 'string');
    }

    /** The HTTP status of an error: its own for a typed error, else 500. */
    public static statusOf(error: unknown): number {
        return ApplicationErrors.isApplicationException(error) ? Number(error.status) || 500 : 500;
    }
}
