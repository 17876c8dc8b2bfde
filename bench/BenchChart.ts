/** One measured point: requests per second of an implementation on a store at a size. */
export interface ChartPoint {
    impl: string;
    store: string;
    size: number;
    op: string;
    rps: number;
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];

/**
 * An SVG with one panel per operation: requests/s (log scale) against store size
 * (log scale), one line per implementation and store.
 */
export class BenchChart {
    public static render(points: ChartPoint[]): string {
        const ops = [...new Set(points.map(point => point.op))];
        const series = [...new Set(points.map(point => point.impl + ' / ' + point.store))];
        const sizes = [...new Set(points.map(point => point.size))].sort((a, b) => a - b);
        const width = 420;
        const height = 300;
        const columns = Math.min(3, ops.length);
        const rows = Math.ceil(ops.length / columns);
        const legendHeight = 24 + 18 * series.length;
        const parts: string[] = [];
        parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${columns * width}" height="${rows * height + legendHeight}" font-family="sans-serif" font-size="11">`);
        parts.push(`<rect width="100%" height="100%" fill="white"/>`);

        const maxRps = Math.max(10, ...points.map(point => point.rps));
        const minRps = Math.max(0.1, Math.min(...points.map(point => point.rps).filter(rps => rps > 0), maxRps));
        const logMin = Math.floor(Math.log10(minRps));
        const logMax = Math.ceil(Math.log10(maxRps));
        const sizeMin = Math.log10(Math.max(sizes[0], 1));
        const sizeMax = Math.max(Math.log10(sizes[sizes.length - 1]), sizeMin + 1);

        ops.forEach((op, panel) => {
            const x0 = (panel % columns) * width + 60;
            const y0 = Math.floor(panel / columns) * height + 30;
            const w = width - 90;
            const h = height - 80;
            const xOf = (size: number) => x0 + (Math.log10(Math.max(size, 1)) - sizeMin) / (sizeMax - sizeMin) * w;
            const yOf = (rps: number) => y0 + h - (Math.log10(Math.max(rps, minRps)) - logMin) / Math.max(1, logMax - logMin) * h;
            parts.push(`<text x="${x0 + w / 2}" y="${y0 - 10}" text-anchor="middle" font-weight="bold">${op}</text>`);
            parts.push(`<rect x="${x0}" y="${y0}" width="${w}" height="${h}" fill="none" stroke="#999"/>`);
            for (let exponent = logMin; exponent <= logMax; exponent++) {
                const y = yOf(10 ** exponent);
                parts.push(`<line x1="${x0}" x2="${x0 + w}" y1="${y}" y2="${y}" stroke="#eee"/>`);
                parts.push(`<text x="${x0 - 5}" y="${y + 4}" text-anchor="end">${BenchChart.short(10 ** exponent)}</text>`);
            }
            for (const size of sizes) {
                parts.push(`<text x="${xOf(size)}" y="${y0 + h + 15}" text-anchor="middle">${BenchChart.short(size)}</text>`);
            }
            parts.push(`<text x="${x0 + w / 2}" y="${y0 + h + 32}" text-anchor="middle">sessions in store</text>`);
            parts.push(`<text transform="translate(${x0 - 45},${y0 + h / 2}) rotate(-90)" text-anchor="middle">requests/s</text>`);
            series.forEach((name, index) => {
                const line = points.filter(point => point.op === op && point.impl + ' / ' + point.store === name)
                    .sort((a, b) => a.size - b.size);
                if (line.length === 0) return;
                const color = COLORS[index % COLORS.length];
                const dash = name.startsWith('original') ? ' stroke-dasharray="5,3"' : '';
                const coords = line.map(point => `${xOf(point.size).toFixed(1)},${yOf(point.rps).toFixed(1)}`).join(' ');
                parts.push(`<polyline points="${coords}" fill="none" stroke="${color}" stroke-width="2"${dash}/>`);
                for (const point of line) {
                    parts.push(`<circle cx="${xOf(point.size).toFixed(1)}" cy="${yOf(point.rps).toFixed(1)}" r="3" fill="${color}"/>`);
                }
            });
        });

        series.forEach((name, index) => {
            const y = rows * height + 18 + index * 18;
            const color = COLORS[index % COLORS.length];
            const dash = name.startsWith('original') ? ' stroke-dasharray="5,3"' : '';
            parts.push(`<line x1="20" x2="50" y1="${y - 4}" y2="${y - 4}" stroke="${color}" stroke-width="2"${dash}/>`);
            parts.push(`<text x="58" y="${y}">${name}</text>`);
        });
        parts.push('</svg>');
        return parts.join('\n');
    }

    private static short(value: number): string {
        if (value >= 1e6) return value / 1e6 + 'M';
        if (value >= 1e3) return value / 1e3 + 'k';
        return String(value);
    }
}
