/** Counts of generated requests by transport, category and outcome, printed at the end of a run. */
export class RequestTally {
    private readonly _counts = new Map<string, Map<string, Map<string, number>>>();

    private readonly _examples = new Map<string, string>();

    /** Keeps the first example of each transport, category and outcome, for report(true). */
    public add(transport: string, category: string, outcome: string, example?: string): void {
        const key = transport + ' ' + category + ' ' + outcome;
        if (example != null && !this._examples.has(key)) this._examples.set(key, example);
        let categories = this._counts.get(transport);
        if (categories == null) {
            categories = new Map();
            this._counts.set(transport, categories);
        }
        let outcomes = categories.get(category);
        if (outcomes == null) {
            outcomes = new Map();
            categories.set(category, outcomes);
        }
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    }

    public total(transport?: string): number {
        let sum = 0;
        for (const [name, categories] of this._counts) {
            if (transport != null && name !== transport) continue;
            for (const outcomes of categories.values()) for (const count of outcomes.values()) sum += count;
        }
        return sum;
    }

    /** One line per transport and category: the count and the outcomes, e.g. "400 x120, 200 x3"; then examples if asked. */
    public report(withExamples = false): string {
        const lines: string[] = [];
        for (const [transport, categories] of [...this._counts].sort(([a], [b]) => a.localeCompare(b))) {
            lines.push(transport + ': ' + this.total(transport) + ' requests');
            for (const [category, outcomes] of [...categories].sort(([a], [b]) => a.localeCompare(b))) {
                const count = [...outcomes.values()].reduce((sum, value) => sum + value, 0);
                const detail = [...outcomes].sort(([, a], [, b]) => b - a).map(([outcome, n]) => outcome + ' x' + n).join(', ');
                lines.push('  ' + category.padEnd(16) + String(count).padStart(6) + '  (' + detail + ')');
            }
        }
        lines.push('all transports: ' + this.total() + ' requests');
        if (withExamples) {
            for (const [key, example] of [...this._examples].sort(([a], [b]) => a.localeCompare(b))) lines.push(key + ': ' + example);
        }
        return lines.join('\n');
    }
}
