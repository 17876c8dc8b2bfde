import { promises as fs } from 'fs';

/** The records of a journal file as JSON values, each line's checksum left off. */
export async function journalRecords(journalPath: string): Promise<unknown[]> {
    const text = await fs.readFile(journalPath, 'utf8');
    return text.split('\n').filter(line => line !== '').map(line => JSON.parse(line.split('\t')[0]) as unknown);
}
