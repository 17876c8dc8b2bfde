import { ConfigException, ConfigParams } from 'pip-services3-commons-nodex';
import { SessionsErrorCode } from '../data/version1/SessionsErrorCatalogue';

const TRUE_WORDS = ['true', '1', 'yes', 'on'];
const FALSE_WORDS = ['false', '0', 'no', 'off'];

/**
 * Reads a component's settings strictly: a set value that is not allowed stops the start with
 * BAD_SETTING, where the toolkit's getAs*WithDefault fell back to the default without a word.
 * An absent or empty value (an unset variable in a templated config) gives the default.
 */
export class SessionsSettingReader {
    public constructor(private readonly _config: ConfigParams) {}

    /** A whole number of milliseconds, 0 or more. */
    public millis(key: string, defaultValue: number): number {
        return this.wholeNumber(key, defaultValue, 0, 'a whole number of milliseconds, 0 or more');
    }

    /** A whole number of bytes, at least min (default 1). */
    public bytes(key: string, defaultValue: number, min = 1): number {
        return this.wholeNumber(key, defaultValue, min, 'a whole number of bytes, ' + min + ' or more');
    }

    /** A whole count, at least min. */
    public count(key: string, defaultValue: number, min = 0): number {
        return this.wholeNumber(key, defaultValue, min, 'a whole number, ' + min + ' or more');
    }

    /** A TCP port to listen on: 0 (any free port) to 65535. */
    public port(key: string, defaultValue: number): number {
        return this.portFrom(key, defaultValue, 0);
    }

    /** The port of a server to connect to: 1 to 65535 (0 names no port there). */
    public remotePort(key: string, defaultValue: number): number {
        return this.portFrom(key, defaultValue, 1);
    }

    private portFrom(key: string, defaultValue: number, min: number): number {
        const allowed = 'a port number from ' + min + ' to 65535';
        const port = this.wholeNumber(key, defaultValue, min, allowed);
        if (port > 65535) throw this.refused(key, allowed);
        return port;
    }

    /** A number (fractions allowed), at least min. */
    public number(key: string, defaultValue: number, min: number): number {
        const raw = this.raw(key);
        if (raw == null) return defaultValue;
        const value = typeof raw === 'number' ? raw : /^\s*-?\d+(\.\d+)?\s*$/.test(String(raw)) ? Number(raw) : NaN;
        if (!Number.isFinite(value) || value < min) throw this.refused(key, 'a number, ' + min + ' or more');
        return value;
    }

    /** true or false (also yes/no, on/off, 1/0). */
    public flag(key: string, defaultValue: boolean): boolean {
        const raw = this.raw(key);
        if (raw == null) return defaultValue;
        const word = String(raw).trim().toLowerCase();
        if (TRUE_WORDS.includes(word)) return true;
        if (FALSE_WORDS.includes(word)) return false;
        throw this.refused(key, 'true or false');
    }

    /** One of the given words (compared without case or surrounding blanks). */
    public oneOf<T extends string>(key: string, allowed: readonly T[], defaultValue: T): T {
        const raw = this.raw(key);
        if (raw == null) return defaultValue;
        const word = String(raw).trim().toLowerCase();
        const found = allowed.find(value => value === word);
        if (found == null) throw this.refused(key, 'one of ' + allowed.join(', '));
        return found;
    }

    /** The value as the config holds it, or null when absent or empty. */
    private raw(key: string): unknown {
        const value: unknown = this._config.get(key);
        if (value == null || (typeof value === 'string' && value.trim() === '')) return null;
        return value;
    }

    private wholeNumber(key: string, defaultValue: number, min: number, allowed: string): number {
        const raw = this.raw(key);
        if (raw == null) return defaultValue;
        const value = typeof raw === 'number' ? raw : /^\s*-?\d+\s*$/.test(String(raw)) ? Number(raw) : NaN;
        if (!Number.isSafeInteger(value) || value < min) throw this.refused(key, allowed);
        return value;
    }

    private refused(key: string, allowed: string): ConfigException {
        const value = String(this._config.get(key));
        return new ConfigException(undefined, SessionsErrorCode.BAD_SETTING, key + ' is ' + JSON.stringify(value) + ': allowed is ' + allowed)
            .withDetails('key', key)
            .withDetails('value', value)
            .withDetails('allowed', allowed);
    }
}
