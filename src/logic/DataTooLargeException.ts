import { BadRequestException } from 'pip-services3-commons-nodex';

import { ByteSize } from './ByteSize';
import { SessionsErrorCode } from '../data/version1/SessionsErrorCatalogue';

/** user or data over options.max_data_size: 413 DATA_TOO_LARGE, and nothing is stored. */
export class DataTooLargeException extends BadRequestException {
    public constructor(correlationId: string | null, field: string, size: number, limit: number) {
        super(correlationId ?? undefined, SessionsErrorCode.DATA_TOO_LARGE,
            field + ' is ' + size + ' bytes as JSON; the limit is ' + ByteSize.describe(limit, 'MAX_DATA_SIZE, options.max_data_size'));
        this.withStatus(413);
        this.withDetails('field', field);
        this.withDetails('size', size);
        this.withDetails('max_data_size', limit);
        // The toolkit's constructor pins the prototype to BadRequestException's; restore ours so instanceof works.
        Object.setPrototypeOf(this, DataTooLargeException.prototype);
    }
}
