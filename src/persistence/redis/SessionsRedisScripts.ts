/**
 * The Lua scripts of the Redis store: each runs atomically on the server, inside one bucket
 * (KEYS[1] is the bucket's key prefix, see SessionsRedisKeys; every key a script touches
 * starts with it, so all sit in one hash slot). A session's fields and its index entries
 * change together in one script, so the indexes never disagree with the sessions.
 * Commands are written in lower case (Redis reads them in any case). Scores: -request_time in the listing indexes (so ascending order is newest first, ties
 * by id ascending, as every store sorts), open_time and close_time in the sweep indexes.
 */
export class SessionsRedisScripts {
    /** How a script finds its bucket: KEYS[1] is the bucket's key prefix; pointer writes there are the caller's. */
    private static readonly ByBucket = `
local base = KEYS[1]
local lastArg = #ARGV
local function followPointer(new, retention) end
`;

    /**
     * How a ...ByPointer script finds its bucket, on a single server only: KEYS[1] is the
     * session's pointer, the last ARGV the bucket keys' start before the number (SessionsRedisKeys.bucketHead);
     * the bucket's keys are not declared, which a cluster does not allow (see GetById). The script
     * then keeps the pointer's TTL with the session's, in the same step and round trip.
     */
    private static readonly ByPointer = `
local bucket = redis.call('get', KEYS[1])
if not bucket then return {'missing'} end
local base = ARGV[#ARGV] .. bucket .. '}'
local lastArg = #ARGV - 1
local function followPointer(new, retention)
  if retention <= 0 then return end
  if new.active then redis.call('persist', KEYS[1])
  elseif new.close then redis.call('pexpireat', KEYS[1], string.format('%.0f', new.close + retention)) end
end
`;

    /**
     * How CreateByPointer finds its bucket, on a single server only: KEYS[1] is the new
     * session's pointer, and ARGV ends with the bucket's number, SessionsRedisKeys.bucketHead
     * and SessionsRedisKeys.pointerHead. The pointer is claimed in the same step as the session
     * (an id already pointed at is 'exists'); the keys it writes beyond KEYS[1] are not declared,
     * which a cluster does not allow (see GetById).
     */
    private static readonly Claiming = `
if redis.call('exists', KEYS[1]) == 1 then return {'exists'} end
local bucket = ARGV[#ARGV - 2]
local base = ARGV[#ARGV - 1] .. bucket .. '}'
local lastArg = #ARGV - 3
local function claim(s, retention)
  if retention > 0 and s and not s.active and s.close then
    redis.call('set', KEYS[1], bucket, 'pxat', string.format('%.0f', s.close + retention))
  else
    redis.call('set', KEYS[1], bucket)
  end
end
local function closedPointer(id, at, retention)
  if retention > 0 then redis.call('pexpireat', ARGV[#ARGV] .. id, string.format('%.0f', at + retention)) end
end
`;

    /** For Create on a bucket: the caller claims the pointer first and expires the evicted ones' after. */
    private static readonly ClaimedByCaller = `
local function claim(s, retention) end
local function closedPointer(id, at, retention) end
`;

    /** The helpers every script has after its bucket. */
    private static readonly Helpers = `
local function fmt(n) return string.format('%.0f', n) end
local function skey(id) return base .. ':s:' .. id end
local function ukey(u) return base .. ':u:' .. u end
local function uakey(u) return base .. ':ua:' .. u end
local function cmember(id, u) return #id .. ':' .. id .. u end
-- How a stored field's text (false: not stored) sets the state the indexes follow.
local function readField(s, name, value)
  if name == 'user_id' then s.user = value or ''
  elseif name == 'active' then s.active = value == 'true'
  elseif name == 'open_time' then s.open = tonumber(value) or 0
  elseif name == 'request_time' then s.request = tonumber(value) or 0
  elseif name == 'close_time' then s.close = tonumber(value) end
end
local stateFields = {'user_id', 'active', 'open_time', 'request_time', 'close_time'}
-- The fields the indexes follow, or nil when there is no such session.
local function state(id)
  local v = redis.call('hmget', skey(id), unpack(stateFields))
  if not (v[1] or v[2] or v[3] or v[4] or v[5]) and redis.call('exists', skey(id)) == 0 then return nil end
  local s = {}
  for i, name in ipairs(stateFields) do readField(s, name, v[i]) end
  return s
end
-- The state after writing fields (name, value, ...) over s, without reading the hash again.
local function withFields(s, fields)
  local new = { user = s.user, active = s.active, open = s.open, request = s.request, close = s.close }
  for i = 1, #fields, 2 do readField(new, fields[i], fields[i + 1]) end
  return new
end
local function isLive(s, now, idle, absolute)
  if not s.active then return false end
  if idle > 0 and s.request < now - idle then return false end
  if absolute > 0 and s.open < now - absolute then return false end
  return true
end
local function expiresAt(open, request, idle, absolute)
  local e = nil
  if idle > 0 then e = request + idle end
  if absolute > 0 and (e == nil or open + absolute < e) then e = open + absolute end
  return e
end
-- Moves a session's index entries from state old (nil: none) to state new (nil: deleted);
-- fresh: the key was just written whole, so it has no TTL yet.
local function reindex(id, old, new, retention, fresh)
  local key = skey(id)
  local sameUser = old ~= nil and new ~= nil and new.user == old.user
  if old then
    if not new then redis.call('zrem', base .. ':all', id) end
    if not sameUser then redis.call('zrem', ukey(old.user), id) end
    if old.active and not (new and new.active) then
      redis.call('zrem', base .. ':active', id)
      redis.call('zrem', base .. ':opened', id)
    end
    if old.active and not (sameUser and new.active) then redis.call('zrem', uakey(old.user), id) end
    if not old.active and old.close and not (sameUser and not new.active and new.close == old.close) then
      redis.call('zrem', base .. ':closed', cmember(id, old.user))
    end
  end
  if not new then return end
  local score = fmt(-new.request)
  redis.call('zadd', base .. ':all', score, id)
  redis.call('zadd', ukey(new.user), score, id)
  if new.active then
    redis.call('zadd', base .. ':active', score, id)
    redis.call('zadd', uakey(new.user), score, id)
    if not (old and old.active and old.open == new.open) then redis.call('zadd', base .. ':opened', fmt(new.open), id) end
    if old and not old.active and not fresh then redis.call('persist', key) end
  elseif new.close then
    redis.call('zadd', base .. ':closed', fmt(new.close), cmember(id, new.user))
    if retention > 0 and (fresh or not old or old.active or old.close ~= new.close) then
      redis.call('pexpireat', key, fmt(new.close + retention))
    end
  end
end
-- Closes an active session as close_session does (user and data cleared); returns it, closed.
local function close(id, s, at, reason, retention)
  redis.call('hset', skey(id), 'active', 'false', 'close_time', at, 'close_reason', reason, 'request_time', at,
    'user', 'null', 'data', 'null')
  local all = redis.call('hgetall', skey(id))
  reindex(id, s, { user = s.user, active = false, open = s.open, request = tonumber(at), close = tonumber(at) }, retention, false)
  return all
end
local function argsFrom(first)
  local result = {}
  for i = first, lastArg do result[#result + 1] = ARGV[i] end
  return result
end
`;

    /** What a script on a bucket starts with. */
    private static readonly Prelude = SessionsRedisScripts.ByBucket + SessionsRedisScripts.Helpers;

    /** What a ...ByPointer script starts with. */
    private static readonly PointerPrelude = SessionsRedisScripts.ByPointer + SessionsRedisScripts.Helpers;

    /**
     * Creates a session, within a per-user limit when max > 0: counts the user's live
     * sessions, then refuses ('limit') or closes the least recently active to make room.
     * What Create and CreateByPointer do once they know the bucket; claim and closedPointer are theirs.
     * ARGV: id, retention, max, policy, reason (JSON), now, idle, absolute, field, value, ...
     * Returns {'ok', evictedId, evictedFields, ...}, {'exists'} or {'limit'}.
     */
    private static readonly CreateBody = `
local id, retention, max = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
if redis.call('exists', skey(id)) == 1 then
  claim(state(id), retention)
  return {'exists'}
end
local fields = argsFrom(9)
local user = ''
for i = 1, #fields, 2 do if fields[i] == 'user_id' then user = fields[i + 1] end end
local result = {'ok'}
if max > 0 then
  local now, idle, absolute = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
  local lives = {}
  for _, other in ipairs(redis.call('zrange', uakey(user), 0, -1)) do
    local s = state(other)
    if s and isLive(s, now, idle, absolute) then lives[#lives + 1] = { id = other, s = s } end
  end
  local excess = #lives + 1 - max
  if excess > 0 then
    if ARGV[4] == 'reject' then return {'limit'} end
    table.sort(lives, function(a, b)
      if a.s.request ~= b.s.request then return a.s.request < b.s.request end
      return a.id < b.id
    end)
    for i = 1, excess do
      result[#result + 1] = lives[i].id
      result[#result + 1] = close(lives[i].id, lives[i].s, ARGV[6], ARGV[5], retention)
      closedPointer(lives[i].id, tonumber(ARGV[6]), retention)
    end
  end
end
redis.call('hset', skey(id), unpack(fields))
local created = state(id)
reindex(id, nil, created, retention, true)
claim(created, retention)
return result
`;

    /** Create on a bucket (KEYS[1]); the caller claims the pointer before it. */
    public static readonly Create = SessionsRedisScripts.Prelude + SessionsRedisScripts.ClaimedByCaller + SessionsRedisScripts.CreateBody;

    /** Create on a single server in one round trip, claiming the pointer itself (KEYS[1]); ARGV as Create's, then the bucket, bucketHead and pointerHead. */
    public static readonly CreateByPointer = SessionsRedisScripts.Claiming + SessionsRedisScripts.Helpers + SessionsRedisScripts.CreateBody;

    /** What UpdatePartially and UpdatePartiallyByPointer do once they know the bucket. */
    private static readonly UpdatePartiallyBody = `
local id, retention = ARGV[1], tonumber(ARGV[2])
local idle, absolute = tonumber(ARGV[5]), tonumber(ARGV[6])
local old = state(id)
if not old then return {'missing'} end
if ARGV[3] == '1' and not isLive(old, tonumber(ARGV[4]), idle, absolute) then return {'closed'} end
local fields = argsFrom(8)
local new = withFields(old, fields)
if ARGV[3] == '1' and ARGV[7] == '1' and new.active then
  local e = expiresAt(new.open, new.request, idle, absolute)
  if e then
    fields[#fields + 1] = 'expires_at'
    fields[#fields + 1] = fmt(e)
  end
end
if #fields > 0 then redis.call('hset', skey(id), unpack(fields)) end
local all = redis.call('hgetall', skey(id))
reindex(id, old, new, retention, false)
followPointer(new, retention)
return {'ok', all}
`;

    /**
     * Sets fields of a session. With a condition ('1'), a session that is closed or past its
     * time at now is left alone ({'closed'}); a write that sets request_time (touches '1') on a
     * session it leaves active sets expires_at from the timeouts.
     * ARGV: id, retention, condition, now, idle, absolute, touches, field, value, ...
     * Returns {'ok', fields}, {'missing'} or {'closed'}.
     */
    public static readonly UpdatePartially = SessionsRedisScripts.Prelude + SessionsRedisScripts.UpdatePartiallyBody;

    /** UpdatePartially on a single server, its bucket found from the pointer (KEYS[1]); ARGV as UpdatePartially's, then SessionsRedisKeys.bucketHead. */
    public static readonly UpdatePartiallyByPointer = SessionsRedisScripts.PointerPrelude + SessionsRedisScripts.UpdatePartiallyBody;

    /**
     * Reads a session by id in one round trip: its pointer (KEYS[1]), then the hash in the
     * bucket it names, ARGV[1] .. bucket .. ARGV[2]. That key is not declared, which a single
     * server allows and a cluster does not (it may be on another node): for a single server only.
     * Returns the flat fields, or an empty list.
     */
    public static readonly GetById = `
local bucket = redis.call('get', KEYS[1])
if not bucket then return {} end
return redis.call('hgetall', ARGV[1] .. bucket .. ARGV[2])
`;

    /** Replaces a session whole. ARGV: id, retention, field, value, ... Returns {'ok', fields} or {'missing'}. */
    public static readonly Replace = SessionsRedisScripts.Prelude + `
local id, retention = ARGV[1], tonumber(ARGV[2])
local old = state(id)
if not old then return {'missing'} end
redis.call('del', skey(id))
redis.call('hset', skey(id), unpack(argsFrom(3)))
local all = redis.call('hgetall', skey(id))
reindex(id, old, state(id), retention, true)
return {'ok', all}
`;

    /** Deletes a session. ARGV: id. Returns {'ok', fields} or {'missing'}. */
    public static readonly Delete = SessionsRedisScripts.Prelude + `
local id = ARGV[1]
local old = state(id)
if not old then return {'missing'} end
local all = redis.call('hgetall', skey(id))
redis.call('del', skey(id))
reindex(id, old, nil, 0, false)
return {'ok', all}
`;

    /**
     * Closes every active session of a user but one (if given).
     * ARGV: user, hasExcept ('1'/'0'), exceptId, closeTime, reason (JSON), retention.
     * Returns {id, fields, ...} of the sessions it closed.
     */
    public static readonly CloseUser = SessionsRedisScripts.Prelude + `
local result = {}
for _, id in ipairs(redis.call('zrange', uakey(ARGV[1]), 0, -1)) do
  if not (ARGV[2] == '1' and id == ARGV[3]) then
    local s = state(id)
    if s and s.active then
      result[#result + 1] = id
      result[#result + 1] = close(id, s, ARGV[4], ARGV[5], tonumber(ARGV[6]))
    end
  end
end
return result
`;

    /**
     * Closes up to batch active sessions of the bucket whose request_time (kind 'idle') or
     * open_time (kind 'opened') is before cutoff. Each is closed once, whichever replica
     * sweeps: the script takes it out of the active indexes as it closes it.
     * ARGV: kind, cutoff, closeTime, reason (JSON), retention, batch. Returns {id, fields, ...}.
     */
    public static readonly Sweep = SessionsRedisScripts.Prelude + `
local cutoff, batch = tonumber(ARGV[2]), tonumber(ARGV[6])
local ids
if ARGV[1] == 'idle' then
  ids = redis.call('zrangebyscore', base .. ':active', '(' .. fmt(-cutoff), '+inf', 'limit', 0, batch)
else
  ids = redis.call('zrangebyscore', base .. ':opened', '-inf', '(' .. fmt(cutoff), 'limit', 0, batch)
end
local result = {}
for _, id in ipairs(ids) do
  local s = state(id)
  if s and s.active then
    result[#result + 1] = id
    result[#result + 1] = close(id, s, ARGV[3], ARGV[4], tonumber(ARGV[5]))
  end
end
return result
`;

    /**
     * Deletes up to batch closed sessions of the bucket closed before cutoff, and the index
     * entries of those Redis has already expired by their TTL. ARGV: cutoff, batch.
     * Returns the ids, so their pointers go too.
     */
    public static readonly PurgeClosed = SessionsRedisScripts.Prelude + `
local members = redis.call('zrangebyscore', base .. ':closed', '-inf', '(' .. fmt(tonumber(ARGV[1])), 'limit', 0, tonumber(ARGV[2]))
local ids = {}
for _, m in ipairs(members) do
  local colon = string.find(m, ':', 1, true)
  local n = tonumber(string.sub(m, 1, colon - 1))
  local id = string.sub(m, colon + 1, colon + n)
  local user = string.sub(m, colon + n + 1)
  redis.call('del', skey(id))
  redis.call('zrem', base .. ':all', id)
  redis.call('zrem', ukey(user), id)
  redis.call('zrem', base .. ':closed', m)
  ids[#ids + 1] = id
end
return ids
`;

    /**
     * Sets the TTL of up to batch closed sessions from offset on (by close_time) to
     * close_time + retention, or removes it (retention 0). ARGV: retention, offset, batch.
     * Returns {id, expireAt, ...} (expireAt '' for none), for their pointers.
     */
    public static readonly Retime = SessionsRedisScripts.Prelude + `
local retention, offset, batch = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local members = redis.call('zrange', base .. ':closed', offset, offset + batch - 1, 'withscores')
local result = {}
for i = 1, #members, 2 do
  local m = members[i]
  local colon = string.find(m, ':', 1, true)
  local id = string.sub(m, colon + 1, colon + tonumber(string.sub(m, 1, colon - 1)))
  result[#result + 1] = id
  if retention > 0 then
    local at = fmt(tonumber(members[i + 1]) + retention)
    redis.call('pexpireat', skey(id), at)
    result[#result + 1] = at
  else
    redis.call('persist', skey(id))
    result[#result + 1] = ''
  end
end
return result
`;
}
