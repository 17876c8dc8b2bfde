// The sessions console: calls only the commandable API (POST /v1/sessions/<command>) of this origin.
// Everything from the service is written with textContent, never as HTML.
(function () {
    'use strict';

    var KEY_ITEM = 'service-sessions.console.key';
    var PAGE_SIZE = 20;
    var REFRESH_MS = 5000;
    // A refresh that took long waits this many times as long before the next: on a store whose
    // counts walk its sessions, an open console keeps the service busy a twentieth of the time at most.
    var REFRESH_LOAD = 20;
    var HOUR_MS = 3600000;
    var MINUTE_MS = 60000;
    // The counts scan the most recently active sessions; past this many they are lower bounds.
    var SCAN_LIMIT = 2000;
    var REASONS = ['logout', 'revoked', 'evicted', 'idle', 'absolute'];
    var SVG_NS = 'http://www.w3.org/2000/svg';

    var key = null;
    var skip = 0;
    var lastTotal = 0;
    var filter = {};
    var refreshTimer = null;
    var refreshDelay = REFRESH_MS;

    function $(id) { return document.getElementById(id); }

    function show(element, visible) { element.hidden = !visible; }

    /** A command's reply: {status, body}; 401 drops the key and goes back to the login form. */
    function call(command, args, presented) {
        var headers = { 'Content-Type': 'application/json' };
        var used = presented !== undefined ? presented : key;
        if (used) headers['x-api-key'] = used;
        return fetch('/v1/sessions/' + command, {
            method: 'POST', headers: headers, body: JSON.stringify(args || {}), credentials: 'omit', cache: 'no-store'
        }).then(function (response) {
            return response.text().then(function (text) {
                var body = null;
                if (text !== '') {
                    try { body = JSON.parse(text); } catch (err) { body = null; }
                }
                if (response.status === 401 && presented === undefined) signOut('The key was refused; sign in again.');
                return { status: response.status, body: body };
            });
        });
    }

    /** A reply that is not a success, as one line for the operator. */
    function failure(reply) {
        var body = reply.body || {};
        return 'Error ' + reply.status + (body.code ? ' ' + body.code : '') + (body.message ? ': ' + body.message : '');
    }

    // ---- sign in ----

    /** Whether a key (or none: '') lets the console list every session: the full key does, the application key does not. */
    function probe(candidate) {
        return call('get_sessions', { paging: { skip: 0, take: 1 } }, candidate);
    }

    function signOut(message) {
        key = null;
        sessionStorage.removeItem(KEY_ITEM);
        if (refreshTimer != null) clearTimeout(refreshTimer);
        refreshTimer = null;
        // Nothing of what was shown stays on the page.
        $('results').querySelector('tbody').textContent = '';
        closeDetail();
        show($('console'), false);
        show($('sign-out'), false);
        $('state').textContent = '';
        show($('login'), true);
        var error = $('login-error');
        error.textContent = message || '';
        show(error, !!message);
        $('login-key').focus();
    }

    function start(withKey) {
        show($('login'), false);
        show($('console'), true);
        show($('sign-out'), withKey);
        $('state').textContent = withKey ? 'signed in with the full key' : 'no API key is set on this service';
        search(0);
        if (refreshTimer == null) scheduleRefresh(0);
        else refreshCounts();
    }

    /** A refresh of the counts after delay, and each next one refreshDelay after the last ended; sign-out stops the chain. */
    function scheduleRefresh(delay) {
        var timer = setTimeout(function () {
            refreshCounts().then(function () { if (refreshTimer === timer) scheduleRefresh(refreshDelay); });
        }, delay);
        refreshTimer = timer;
    }

    function onLogin(event) {
        event.preventDefault();
        var candidate = $('login-key').value.trim();
        // Empty: for a service with no key configured, which answers without one.
        probe(candidate).then(function (reply) {
            if (reply.status === 200) {
                key = candidate === '' ? null : candidate;
                if (key != null) sessionStorage.setItem(KEY_ITEM, key);
                $('login-key').value = '';
                start(key != null);
            } else if (reply.status === 403) {
                signOut('That is the application key: the console needs the full API key (HTTP_API_KEY).');
            } else if (reply.status === 401) {
                signOut('The key was refused.');
            } else {
                signOut(failure(reply));
            }
        }, function () { signOut('The service cannot be reached.'); });
    }

    // ---- counts and chart ----

    /**
     * Reads pages of the sessions active since `since` (every session opened or closed since
     * then is among them: a close sets request_time), newest first, up to SCAN_LIMIT.
     */
    function scan(since, from, found) {
        return call('get_sessions', { filter: { from_time: since }, paging: { skip: from, take: 100 } }).then(function (reply) {
            if (reply.status !== 200 || reply.body == null) throw new Error(failure(reply));
            var data = reply.body.data || [];
            for (var index = 0; index < data.length; index++) found.push(data[index]);
            if (data.length === 0 || found.length >= SCAN_LIMIT) return { sessions: found, complete: data.length === 0 };
            return scan(since, from + data.length, found);
        });
    }

    /** The number of sessions matching filter, from the store's own count (paging total). */
    function count(filter) {
        return call('get_sessions', { filter: filter, paging: { skip: 0, take: 1, total: true } }).then(function (reply) {
            if (reply.status !== 200 || reply.body == null) throw new Error(failure(reply));
            return reply.body.total;
        });
    }

    /** Fills in the counts and the chart; the promise settles when they are (never rejected). */
    function refreshCounts() {
        // Nothing while the tab is in the background: each refresh is nine calls to the service.
        if ($('console').hidden || document.hidden) return Promise.resolve();
        var now = Date.now();
        var started = performance.now();
        var since = new Date(now - HOUR_MS).toISOString();
        // Exact at any size: closed sessions carry their close time as request_time.
        var exact = [count({ active: true }), count({ active: false, from_time: since })].concat(
            REASONS.map(function (reason) { return count({ active: false, close_reason: reason, from_time: since }); }));
        return Promise.all([Promise.all(exact), scan(since, 0, [])]).then(function (results) {
            var totals = results[0];
            var counts = { opened: 0, closed: totals[1] };
            REASONS.forEach(function (reason, index) { counts[reason] = totals[2 + index]; });
            var opens = new Array(60).fill(0);
            var closes = new Array(60).fill(0);
            results[1].sessions.forEach(function (session) {
                var opened = Date.parse(session.open_time);
                if (opened >= now - HOUR_MS) {
                    counts.opened++;
                    opens[Math.min(59, Math.floor((opened - (now - HOUR_MS)) / MINUTE_MS))]++;
                }
                var closed = session.close_time ? Date.parse(session.close_time) : NaN;
                if (!session.active && closed >= now - HOUR_MS) {
                    closes[Math.min(59, Math.floor((closed - (now - HOUR_MS)) / MINUTE_MS))]++;
                }
            });
            // Opens have no count of their own in the store: past SCAN_LIMIT they are a lower bound.
            var lowerBound = !results[1].complete;
            $('count-active').textContent = String(totals[0]);
            $('count-opened').textContent = (lowerBound ? '≥ ' : '') + counts.opened;
            ['closed'].concat(REASONS).forEach(function (name) {
                $('count-' + name).textContent = String(counts[name]);
            });
            var note = $('counts-note');
            note.textContent = lowerBound ? 'Opened and the chart cover the ' + SCAN_LIMIT + ' most recently active sessions of the last hour.' : '';
            show(note, lowerBound);
            drawChart(opens, closes);
            return 'at ' + clock(new Date(now));
        }).catch(function (err) {
            return 'not refreshed: ' + err.message;
        }).then(function (outcome) {
            var took = performance.now() - started;
            refreshDelay = Math.max(REFRESH_MS, Math.round(REFRESH_LOAD * took));
            $('counts-time').textContent = '(' + outcome + (refreshDelay > REFRESH_MS
                ? '; that took ' + (took / 1000).toFixed(1) + ' s, so the next in ' + Math.round(refreshDelay / 1000) + ' s)' : ')');
        });
    }

    function svg(name, attributes) {
        var element = document.createElementNS(SVG_NS, name);
        Object.keys(attributes).forEach(function (attribute) { element.setAttribute(attribute, String(attributes[attribute])); });
        return element;
    }

    /** Two bars a minute, opens then closes, scaled to the busiest minute. */
    function drawChart(opens, closes) {
        var chart = $('chart');
        chart.textContent = '';
        var top = Math.max(1, Math.max.apply(null, opens), Math.max.apply(null, closes));
        var height = 140;
        chart.appendChild(svg('line', { x1: 0, y1: 145, x2: 600, y2: 145, 'class': 'axis' }));
        for (var minute = 0; minute < 60; minute++) {
            [[opens[minute], 1, 'opened'], [closes[minute], 5, 'closed']].forEach(function (bar) {
                if (bar[0] === 0) return;
                var barHeight = Math.max(2, Math.round(bar[0] / top * height));
                var rect = svg('rect', { x: minute * 10 + bar[1], y: 145 - barHeight, width: 4, height: barHeight, 'class': bar[2] });
                var title = svg('title', {});
                title.textContent = bar[0] + ' ' + bar[2] + ', ' + (60 - minute) + ' min ago';
                rect.appendChild(title);
                chart.appendChild(rect);
            });
        }
        $('chart-max').textContent = String(top);
    }

    // ---- search and list ----

    function readFilter() {
        var form = $('search-form');
        var next = {};
        ['user_id', 'client', 'address'].forEach(function (name) {
            var value = form.elements[name].value.trim();
            if (value !== '') next[name] = value;
        });
        if (form.elements.active.value !== '') next.active = form.elements.active.value === 'true';
        ['from_time', 'to_time'].forEach(function (name) {
            var value = form.elements[name].value;
            if (value !== '') next[name] = new Date(value).toISOString();
        });
        return next;
    }

    function search(from) {
        skip = Math.max(0, from);
        var error = $('search-error');
        return call('get_sessions', { filter: filter, paging: { skip: skip, take: PAGE_SIZE, total: true } }).then(function (reply) {
            if (reply.status === 401) return;
            if (reply.status !== 200) {
                error.textContent = failure(reply);
                show(error, true);
                return;
            }
            show(error, false);
            lastTotal = reply.body.total || 0;
            renderRows(reply.body.data || []);
            var shown = (reply.body.data || []).length;
            $('page-info').textContent = lastTotal === 0 ? 'No sessions match'
                : (skip + 1) + '–' + (skip + shown) + ' of ' + lastTotal;
            $('page-prev').disabled = skip === 0;
            $('page-next').disabled = skip + shown >= lastTotal;
            var user = filter.user_id;
            show($('user-actions'), !!user);
            $('revoke-user-id').textContent = user || '';
        }, function () {
            error.textContent = 'The service cannot be reached.';
            show(error, true);
        });
    }

    function cell(row, label, text, className) {
        var td = document.createElement('td');
        td.setAttribute('data-label', label);
        if (className) td.className = className;
        if (text != null) td.textContent = text;
        row.appendChild(td);
        return td;
    }

    function button(text, className, action) {
        var element = document.createElement('button');
        element.type = 'button';
        element.textContent = text;
        if (className) element.className = className;
        element.addEventListener('click', action);
        return element;
    }

    function renderRows(sessions) {
        var body = $('results').querySelector('tbody');
        body.textContent = '';
        sessions.forEach(function (session) {
            var row = document.createElement('tr');
            row.setAttribute('data-session', session.id);
            var idCell = cell(row, 'Session', null, 'id');
            var code = document.createElement('code');
            code.textContent = shortId(session.id);
            code.title = 'Session id, shortened';
            idCell.appendChild(code);
            idCell.appendChild(button('Copy', 'quiet small copy', function (event) { copy(session.id, event.target); }));
            cell(row, 'User', session.user_id + (session.user_name ? ' (' + session.user_name + ')' : ''));
            cell(row, 'Client', session.client || '');
            cell(row, 'Address', session.address || '');
            cell(row, 'Opened', time(session.open_time), 'time');
            cell(row, 'Last activity', time(session.request_time), 'time');
            cell(row, 'Expires', session.active ? time(session.expires_at) || 'never' : '', 'time');
            cell(row, 'State', session.active ? 'active' : (session.close_reason || 'closed') + ' ' + time(session.close_time),
                session.active ? 'active' : 'closed');
            var actions = cell(row, 'Actions', null, 'actions');
            actions.appendChild(button('View', 'quiet small view', function () { openDetail(session.id); }));
            if (session.active) actions.appendChild(button('Close', 'danger small close', function () { closeSession(session); }));
            else actions.appendChild(button('Delete', 'danger small delete', function () { deleteSession(session); }));
            body.appendChild(row);
        });
    }

    function shortId(id) { return id.length > 10 ? id.slice(0, 8) + '…' : id; }

    function pad(value) { return (value < 10 ? '0' : '') + value; }

    function clock(date) { return pad(date.getHours()) + ':' + pad(date.getMinutes()) + ':' + pad(date.getSeconds()); }

    /** Local time, "2026-12-04 22:58:39"; '' for none. */
    function time(value) {
        if (!value) return '';
        var date = new Date(value);
        if (isNaN(date.getTime())) return '';
        return date.getFullYear() + '-' + pad(date.getMonth() + 1) + '-' + pad(date.getDate()) + ' ' + clock(date);
    }

    function copy(text, target) {
        var done = function () {
            target.textContent = 'Copied';
            setTimeout(function () { target.textContent = 'Copy'; }, 1500);
        };
        if (navigator.clipboard && window.isSecureContext) {
            navigator.clipboard.writeText(text).then(done, function () { copyBySelection(text); done(); });
        } else {
            copyBySelection(text);
            done();
        }
    }

    /** For pages served over plain HTTP from another host, where the clipboard API is off. */
    function copyBySelection(text) {
        var area = document.createElement('textarea');
        area.value = text;
        area.setAttribute('readonly', '');
        area.className = 'offscreen';
        document.body.appendChild(area);
        area.select();
        try { document.execCommand('copy'); } catch (err) { /* the id stays selectable in the detail view */ }
        document.body.removeChild(area);
    }

    // ---- detail and actions ----

    function openDetail(id) {
        call('get_session_by_id', { session_id: id }).then(function (reply) {
            if (reply.status === 401) return;
            var error = $('search-error');
            if (reply.status !== 200 || reply.body == null) {
                error.textContent = reply.status === 204 ? 'That session no longer exists.' : failure(reply);
                show(error, true);
                return;
            }
            var session = reply.body;
            $('detail-id').textContent = session.id;
            var fields = $('detail-fields');
            fields.textContent = '';
            [['User id', session.user_id], ['User name', session.user_name], ['Client', session.client],
                ['Address', session.address], ['Active', session.active ? 'yes' : 'no'], ['Opened', time(session.open_time)],
                ['Last activity', time(session.request_time)], ['Expires', time(session.expires_at)],
                ['Closed', time(session.close_time)], ['Close reason', session.close_reason]].forEach(function (pair) {
                var term = document.createElement('dt');
                term.textContent = pair[0];
                var value = document.createElement('dd');
                value.textContent = pair[1] == null || pair[1] === '' ? '–' : String(pair[1]);
                fields.appendChild(term);
                fields.appendChild(value);
            });
            $('detail-user').textContent = JSON.stringify(session.user === undefined ? null : session.user, null, 2);
            $('detail-data').textContent = JSON.stringify(session.data === undefined ? null : session.data, null, 2);
            show($('detail'), true);
            $('detail').scrollIntoView({ block: 'nearest' });
        });
    }

    function closeDetail() {
        show($('detail'), false);
        $('detail-user').textContent = '';
        $('detail-data').textContent = '';
    }

    /** Runs an action after the operator confirms it, then refreshes the list and the counts. */
    function act(question, command, args) {
        if (!window.confirm(question)) return;
        call(command, args).then(function (reply) {
            if (reply.status === 401) return;
            var error = $('search-error');
            if (reply.status >= 300) {
                error.textContent = failure(reply);
                show(error, true);
            }
            closeDetail();
            search(skip);
            refreshCounts();
        });
    }

    function closeSession(session) {
        act('Close session ' + shortId(session.id) + ' of ' + session.user_id + '? The user is signed out of it.',
            'close_session', { session_id: session.id });
    }

    function deleteSession(session) {
        act('Delete closed session ' + shortId(session.id) + ' of ' + session.user_id + ' for good?',
            'delete_session_by_id', { session_id: session.id });
    }

    function revokeUser() {
        var user = filter.user_id;
        if (!user) return;
        act('Close every active session of ' + user + '? The user is signed out everywhere.',
            'close_user_sessions', { user_id: user });
    }

    // ---- wiring ----

    document.addEventListener('DOMContentLoaded', function () {
        $('login-form').addEventListener('submit', onLogin);
        $('sign-out').addEventListener('click', function () { signOut(null); });
        $('search-form').addEventListener('submit', function (event) {
            event.preventDefault();
            filter = readFilter();
            search(0);
        });
        $('search-form').addEventListener('reset', function () {
            filter = {};
            setTimeout(function () { search(0); }, 0);
        });
        $('page-prev').addEventListener('click', function () { search(skip - PAGE_SIZE); });
        $('page-next').addEventListener('click', function () { search(skip + PAGE_SIZE); });
        $('revoke-user').addEventListener('click', revokeUser);
        $('detail-close').addEventListener('click', closeDetail);
        document.addEventListener('visibilitychange', function () { if (!document.hidden) refreshCounts(); });

        var stored = sessionStorage.getItem(KEY_ITEM);
        if (stored == null) {
            signOut(null);
            return;
        }
        // A stored key is checked again: it may have been changed since.
        probe(stored).then(function (reply) {
            if (reply.status === 200) {
                key = stored;
                start(true);
            } else {
                signOut('The key was refused; sign in again.');
            }
        }, function () { signOut('The service cannot be reached.'); });
    });
}());
