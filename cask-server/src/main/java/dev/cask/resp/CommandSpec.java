package dev.cask.resp;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The commands Cask answers, with what {@code COMMAND} and {@code COMMAND DOCS} tell clients:
 * arity (negative = at least), flags, key positions, group and a summary. Arity is checked
 * before a command runs, with Redis's error text.
 */
enum CommandSpec {
    PING(-1, "fast", 0, 0, 0, "connection", "Returns the server's liveliness response."),
    ECHO(2, "loading stale fast", 0, 0, 0, "connection", "Returns the given string."),
    GET(2, "readonly fast", 1, 1, 1, "string", "Returns the string value of a key."),
    SET(-3, "write denyoom", 1, 1, 1, "string", "Sets the string value of a key, ignoring its type. The key is created if it doesn't exist."),
    GETDEL(2, "write fast", 1, 1, 1, "string", "Returns the string value of a key after deleting the key."),
    SETNX(3, "write denyoom fast", 1, 1, 1, "string", "Set the string value of a key only when the key doesn't exist."),
    SETEX(4, "write denyoom", 1, 1, 1, "string", "Sets the string value and expiration time of a key. Creates the key if it doesn't exist."),
    PSETEX(4, "write denyoom", 1, 1, 1, "string", "Sets both string value and expiration time in milliseconds of a key. The key is created if it doesn't exist."),
    GETSET(3, "write denyoom fast", 1, 1, 1, "string", "Returns the previous string value of a key after setting it to a new value."),
    GETEX(-2, "write fast", 1, 1, 1, "string", "Returns the string value of a key after setting its expiration time."),
    SETRANGE(4, "write denyoom", 1, 1, 1, "string", "Overwrites a part of a string value with another by an offset. Creates the key if it doesn't exist."),
    GETRANGE(4, "readonly", 1, 1, 1, "string", "Returns a substring of the string stored at a key."),
    SUBSTR(4, "readonly", 1, 1, 1, "string", "Returns a substring from a string value."),
    LCS(-3, "readonly", 1, 2, 1, "string", "Finds the longest common substring."),
    DEL(-2, "write", 1, -1, 1, "generic", "Deletes one or more keys."),
    UNLINK(-2, "write fast", 1, -1, 1, "generic", "Deletes one or more keys."),
    EXISTS(-2, "readonly fast", 1, -1, 1, "generic", "Determines whether one or more keys exist."),
    MGET(-2, "readonly fast", 1, -1, 1, "string", "Atomically returns the string values of one or more keys."),
    MSET(-3, "write denyoom", 1, -1, 2, "string", "Atomically creates or modifies the string values of one or more keys."),
    MSETNX(-3, "write denyoom", 1, -1, 2, "string", "Atomically modifies the string values of one or more keys only when all keys don't exist."),
    INCR(2, "write denyoom fast", 1, 1, 1, "string", "Increments the integer value of a key by one."),
    DECR(2, "write denyoom fast", 1, 1, 1, "string", "Decrements the integer value of a key by one."),
    INCRBY(3, "write denyoom fast", 1, 1, 1, "string", "Increments the integer value of a key by a number."),
    DECRBY(3, "write denyoom fast", 1, 1, 1, "string", "Decrements a number from the integer value of a key."),
    INCRBYFLOAT(3, "write denyoom fast", 1, 1, 1, "string", "Increment the floating point value of a key by a number. Uses 0 as initial value if the key doesn't exist."),
    APPEND(3, "write denyoom fast", 1, 1, 1, "string", "Appends a string to the value of a key. Creates the key if it doesn't exist."),
    STRLEN(2, "readonly fast", 1, 1, 1, "string", "Returns the length of a string value."),
    EXPIRE(-3, "write fast", 1, 1, 1, "generic", "Sets the expiration time of a key in seconds."),
    PEXPIRE(-3, "write fast", 1, 1, 1, "generic", "Sets the expiration time of a key in milliseconds."),
    EXPIREAT(-3, "write fast", 1, 1, 1, "generic", "Sets the expiration time of a key to a Unix timestamp."),
    PEXPIREAT(-3, "write fast", 1, 1, 1, "generic", "Sets the expiration time of a key to a Unix milliseconds timestamp."),
    EXPIRETIME(2, "readonly fast", 1, 1, 1, "generic", "Returns the expiration time of a key as a Unix timestamp."),
    PEXPIRETIME(2, "readonly fast", 1, 1, 1, "generic", "Returns the expiration time of a key as a Unix milliseconds timestamp."),
    TTL(2, "readonly fast", 1, 1, 1, "generic", "Returns the expiration time in seconds of a key."),
    PTTL(2, "readonly fast", 1, 1, 1, "generic", "Returns the expiration time in milliseconds of a key."),
    PERSIST(2, "write fast", 1, 1, 1, "generic", "Removes the expiration time of a key."),
    TYPE(2, "readonly fast", 1, 1, 1, "generic", "Determines the type of value stored at a key."),
    RENAME(3, "write", 1, 2, 1, "generic", "Renames a key and overwrites the destination."),
    RENAMENX(3, "write fast", 1, 2, 1, "generic", "Renames a key only when the target key name doesn't exist."),
    COPY(-3, "write denyoom", 1, 2, 1, "generic", "Copies the value of a key to a new key."),
    MOVE(3, "write fast", 1, 1, 1, "generic", "Moves a key to another database."),
    TOUCH(-2, "readonly fast", 1, -1, 1, "generic", "Returns the number of existing keys out of those specified after updating the time they were last accessed."),
    RANDOMKEY(1, "readonly", 0, 0, 0, "generic", "Returns a random key name from the database."),
    OBJECT(-2, "", 0, 0, 0, "generic", "A container for object introspection commands."),
    DUMP(2, "readonly", 1, 1, 1, "generic", "Returns a serialized representation of the value stored at a key."),
    RESTORE(-4, "write denyoom", 1, 1, 1, "generic", "Creates a key from the serialized representation of a value."),
    WAIT(3, "noscript", 0, 0, 0, "generic", "Blocks until the asynchronous replication of all preceding write commands sent by the connection is completed."),
    KEYS(2, "readonly", 0, 0, 0, "generic", "Returns all key names that match a pattern."),
    SCAN(-2, "readonly", 0, 0, 0, "generic", "Iterates over the key names in the database."),
    DBSIZE(1, "readonly fast", 0, 0, 0, "server", "Returns the number of keys in the database."),
    FLUSHDB(-1, "write", 0, 0, 0, "server", "Removes all keys from the current database."),
    FLUSHALL(-1, "write", 0, 0, 0, "server", "Removes all keys from all databases."),
    SELECT(2, "loading stale fast", 0, 0, 0, "connection", "Changes the selected database."),
    SWAPDB(3, "write fast", 0, 0, 0, "server", "Swaps two Redis databases."),
    MULTI(1, "noscript loading stale fast allow_busy", 0, 0, 0, "transactions", "Starts a transaction."),
    EXEC(1, "noscript loading stale skip_slowlog", 0, 0, 0, "transactions", "Executes all commands in a transaction."),
    DISCARD(1, "noscript loading stale fast allow_busy", 0, 0, 0, "transactions", "Discards a transaction."),
    WATCH(-2, "noscript loading stale fast allow_busy", 1, -1, 1, "transactions", "Monitors changes to keys to determine the execution of a transaction."),
    UNWATCH(1, "noscript loading stale fast allow_busy", 0, 0, 0, "transactions", "Forgets about watched keys of a transaction."),
    INFO(-1, "loading stale", 0, 0, 0, "server", "Returns information and statistics about the server."),
    COMMAND(-1, "loading stale", 0, 0, 0, "server", "Returns detailed information about all commands."),
    CONFIG(-2, "", 0, 0, 0, "server", "A container for server configuration commands (GET)."),
    CLIENT(-2, "", 0, 0, 0, "connection", "A container for client connection commands."),
    AUTH(-2, "noscript loading stale fast no_auth allow_busy", 0, 0, 0, "connection", "Authenticates the connection."),
    HELLO(-1, "noscript loading stale fast no_auth allow_busy", 0, 0, 0, "connection", "Handshakes with the server (RESP2 or RESP3)."),
    QUIT(-1, "noscript loading stale fast no_auth allow_busy", 0, 0, 0, "connection", "Closes the connection."),
    SHUTDOWN(-1, "admin noscript loading stale no_multi allow_busy", 0, 0, 0, "server", "Stops accepting, finishes replies, syncs and closes the database, then exits."),
    SAVE(1, "admin noscript no_async_loading no_multi", 0, 0, 0, "server", "Forces everything written to disk (a sync)."),
    BGSAVE(-1, "admin noscript no_async_loading", 0, 0, 0, "server", "Forces everything written to disk (a sync), like SAVE."),
    BGREWRITEAOF(1, "admin noscript no_async_loading", 0, 0, 0, "server", "Starts a merge of the closed segments in the background."),
    MERGE(1, "admin", 0, 0, 0, "server", "Starts a merge of the closed segments in the background."),
    TIME(1, "loading stale fast", 0, 0, 0, "server", "Returns the server time."),
    HSET(-4, "write denyoom fast", 1, 1, 1, "hash", "Creates or modifies the value of a field in a hash."),
    HMSET(-4, "write denyoom fast", 1, 1, 1, "hash", "Sets the values of multiple fields."),
    HSETNX(4, "write denyoom fast", 1, 1, 1, "hash", "Sets the value of a field in a hash only when the field doesn't exist."),
    HGET(3, "readonly fast", 1, 1, 1, "hash", "Returns the value of a field in a hash."),
    HMGET(-3, "readonly fast", 1, 1, 1, "hash", "Returns the values of all fields in a hash."),
    HDEL(-3, "write fast", 1, 1, 1, "hash", "Deletes one or more fields and their values from a hash. Deletes the hash if no fields remain."),
    HEXISTS(3, "readonly fast", 1, 1, 1, "hash", "Determines whether a field exists in a hash."),
    HLEN(2, "readonly fast", 1, 1, 1, "hash", "Returns the number of fields in a hash."),
    HSTRLEN(3, "readonly fast", 1, 1, 1, "hash", "Returns the length of the value of a field."),
    HGETALL(2, "readonly", 1, 1, 1, "hash", "Returns all fields and values in a hash."),
    HKEYS(2, "readonly", 1, 1, 1, "hash", "Returns all fields in a hash."),
    HVALS(2, "readonly", 1, 1, 1, "hash", "Returns all values in a hash."),
    HINCRBY(4, "write denyoom fast", 1, 1, 1, "hash", "Increments the integer value of a field in a hash by a number. Uses 0 as initial value if the field doesn't exist."),
    HINCRBYFLOAT(4, "write denyoom fast", 1, 1, 1, "hash", "Increments the floating point value of a field by a number. Uses 0 as initial value if the field doesn't exist."),
    HRANDFIELD(-2, "readonly", 1, 1, 1, "hash", "Returns one or more random fields from a hash."),
    HSCAN(-3, "readonly", 1, 1, 1, "hash", "Iterates over fields and values of a hash."),
    SADD(-3, "write denyoom fast", 1, 1, 1, "set", "Adds one or more members to a set. Creates the key if it doesn't exist."),
    SREM(-3, "write fast", 1, 1, 1, "set", "Removes one or more members from a set. Deletes the set if the last member was removed."),
    SISMEMBER(3, "readonly fast", 1, 1, 1, "set", "Determines whether a member belongs to a set."),
    SMISMEMBER(-3, "readonly fast", 1, 1, 1, "set", "Determines whether multiple members belong to a set."),
    SCARD(2, "readonly fast", 1, 1, 1, "set", "Returns the number of members in a set."),
    SMEMBERS(2, "readonly", 1, 1, 1, "set", "Returns all members of a set."),
    SPOP(-2, "write fast", 1, 1, 1, "set", "Returns one or more random members from a set after removing them. Deletes the set if the last member was popped."),
    SRANDMEMBER(-2, "readonly", 1, 1, 1, "set", "Get one or multiple random members from a set"),
    SMOVE(4, "write fast", 1, 2, 1, "set", "Moves a member from one set to another."),
    SINTER(-2, "readonly", 1, -1, 1, "set", "Returns the intersect of multiple sets."),
    SUNION(-2, "readonly", 1, -1, 1, "set", "Returns the union of multiple sets."),
    SDIFF(-2, "readonly", 1, -1, 1, "set", "Returns the difference of multiple sets."),
    SINTERSTORE(-3, "write denyoom", 1, -1, 1, "set", "Stores the intersect of multiple sets in a key."),
    SUNIONSTORE(-3, "write denyoom", 1, -1, 1, "set", "Stores the union of multiple sets in a key."),
    SDIFFSTORE(-3, "write denyoom", 1, -1, 1, "set", "Stores the difference of multiple sets in a key."),
    SINTERCARD(-3, "readonly movablekeys", 0, 0, 0, "set", "Returns the number of members of the intersect of multiple sets."),
    SSCAN(-3, "readonly", 1, 1, 1, "set", "Iterates over members of a set."),
    LPUSH(-3, "write denyoom fast", 1, 1, 1, "list", "Prepends one or more elements to a list. Creates the key if it doesn't exist."),
    RPUSH(-3, "write denyoom fast", 1, 1, 1, "list", "Appends one or more elements to a list. Creates the key if it doesn't exist."),
    LPUSHX(-3, "write denyoom fast", 1, 1, 1, "list", "Prepends one or more elements to a list only when the list exists."),
    RPUSHX(-3, "write denyoom fast", 1, 1, 1, "list", "Appends an element to a list only when the list exists."),
    LPOP(-2, "write fast", 1, 1, 1, "list", "Returns the first elements in a list after removing it. Deletes the list if the last element was popped."),
    RPOP(-2, "write fast", 1, 1, 1, "list", "Returns and removes the last elements of a list. Deletes the list if the last element was popped."),
    LLEN(2, "readonly fast", 1, 1, 1, "list", "Returns the length of a list."),
    LINDEX(3, "readonly", 1, 1, 1, "list", "Returns an element from a list by its index."),
    LRANGE(4, "readonly", 1, 1, 1, "list", "Returns a range of elements from a list."),
    LSET(4, "write denyoom", 1, 1, 1, "list", "Sets the value of an element in a list by its index."),
    LTRIM(4, "write", 1, 1, 1, "list", "Removes elements from both ends a list. Deletes the list if all elements were trimmed."),
    LREM(4, "write", 1, 1, 1, "list", "Removes elements from a list. Deletes the list if the last element was removed."),
    LINSERT(5, "write denyoom", 1, 1, 1, "list", "Inserts an element before or after another element in a list."),
    LPOS(-3, "readonly", 1, 1, 1, "list", "Returns the index of matching elements in a list."),
    LMOVE(5, "write denyoom", 1, 2, 1, "list", "Returns an element after popping it from one list and pushing it to another. Deletes the list if the last element was moved."),
    RPOPLPUSH(3, "write denyoom", 1, 2, 1, "list", "Returns the last element of a list after removing and pushing it to another list. Deletes the list if the last element was popped."),
    ZADD(-4, "write denyoom fast", 1, 1, 1, "sorted_set", "Adds one or more members to a sorted set, or updates their scores. Creates the key if it doesn't exist."),
    ZINCRBY(4, "write denyoom fast", 1, 1, 1, "sorted_set", "Increments the score of a member in a sorted set."),
    ZREM(-3, "write fast", 1, 1, 1, "sorted_set", "Removes one or more members from a sorted set. Deletes the sorted set if all members were removed."),
    ZSCORE(3, "readonly fast", 1, 1, 1, "sorted_set", "Returns the score of a member in a sorted set."),
    ZMSCORE(-3, "readonly fast", 1, 1, 1, "sorted_set", "Returns the score of one or more members in a sorted set."),
    ZCARD(2, "readonly fast", 1, 1, 1, "sorted_set", "Returns the number of members in a sorted set."),
    ZCOUNT(4, "readonly fast", 1, 1, 1, "sorted_set", "Returns the count of members in a sorted set that have scores within a range."),
    ZRANK(3, "readonly fast", 1, 1, 1, "sorted_set", "Returns the index of a member in a sorted set ordered by ascending scores."),
    ZREVRANK(3, "readonly fast", 1, 1, 1, "sorted_set", "Returns the index of a member in a sorted set ordered by descending scores."),
    ZRANGE(-4, "readonly", 1, 1, 1, "sorted_set", "Returns members in a sorted set within a range of indexes."),
    ZRANGESTORE(-5, "write denyoom", 1, 2, 1, "sorted_set", "Stores a range of members from sorted set in a key."),
    ZPOPMIN(-2, "write fast", 1, 1, 1, "sorted_set", "Returns the lowest-scoring members from a sorted set after removing them. Deletes the sorted set if the last member was popped."),
    ZPOPMAX(-2, "write fast", 1, 1, 1, "sorted_set", "Returns the highest-scoring members from a sorted set after removing them. Deletes the sorted set if the last member was popped."),
    ZREMRANGEBYRANK(4, "write", 1, 1, 1, "sorted_set", "Removes members in a sorted set within a range of indexes. Deletes the sorted set if all members were removed."),
    ZREMRANGEBYSCORE(4, "write", 1, 1, 1, "sorted_set", "Removes members in a sorted set within a range of scores. Deletes the sorted set if all members were removed."),
    ZREMRANGEBYLEX(4, "write", 1, 1, 1, "sorted_set", "Removes members in a sorted set within a lexicographical range. Deletes the sorted set if all members were removed."),
    ZSCAN(-3, "readonly", 1, 1, 1, "sorted_set", "Iterates over members and scores of a sorted set."),
    ZREVRANGE(-4, "readonly", 1, 1, 1, "sorted_set", "Returns members in a sorted set within a range of indexes in reverse order."),
    ZRANGEBYSCORE(-4, "readonly", 1, 1, 1, "sorted_set", "Returns members in a sorted set within a range of scores."),
    ZREVRANGEBYSCORE(-4, "readonly", 1, 1, 1, "sorted_set", "Returns members in a sorted set within a range of scores in reverse order."),
    ZRANGEBYLEX(-4, "readonly", 1, 1, 1, "sorted_set", "Returns members in a sorted set within a lexicographical range."),
    ZREVRANGEBYLEX(-4, "readonly", 1, 1, 1, "sorted_set", "Returns members in a sorted set within a lexicographical range in reverse order."),
    ZLEXCOUNT(4, "readonly fast", 1, 1, 1, "sorted_set", "Returns the number of members in a sorted set within a lexicographical range."),
    ZUNIONSTORE(-4, "write denyoom movablekeys", 1, 1, 1, "sorted_set", "Stores the union of multiple sorted sets in a key."),
    ZINTERSTORE(-4, "write denyoom movablekeys", 1, 1, 1, "sorted_set", "Stores the intersect of multiple sorted sets in a key."),
    SLOWLOG(-2, "", 0, 0, 0, "server", "A container for slow log commands."),
    BLPOP(-3, "write noscript blocking", 1, -2, 1, "list", "Removes and returns the first element in a list. Blocks until an element is available otherwise. Deletes the list if the last element was popped."),
    BRPOP(-3, "write noscript blocking", 1, -2, 1, "list", "Removes and returns the last element in a list. Blocks until an element is available otherwise. Deletes the list if the last element was popped."),
    BLMOVE(6, "write denyoom noscript blocking", 1, 2, 1, "list", "Pops an element from a list, pushes it to another list and returns it. Blocks until an element is available otherwise. Deletes the list if the last element was moved."),
    BRPOPLPUSH(4, "write denyoom noscript blocking", 1, 2, 1, "list", "Pops an element from a list, pushes it to another list and returns it. Block until an element is available otherwise. Deletes the list if the last element was popped."),
    BZPOPMIN(-3, "write noscript blocking fast", 1, -2, 1, "sorted_set", "Removes and returns the member with the lowest score from one or more sorted sets. Blocks until a member is available otherwise. Deletes the sorted set if the last element was popped."),
    BZPOPMAX(-3, "write noscript blocking fast", 1, -2, 1, "sorted_set", "Removes and returns the member with the highest score from one or more sorted sets. Blocks until a member available otherwise.  Deletes the sorted set if the last element was popped.");

    private static final Map<String, CommandSpec> BY_NAME = new HashMap<>();

    static {
        for (CommandSpec spec : values()) BY_NAME.put(spec.name(), spec);
    }

    final int arity;
    @SuppressWarnings("ImmutableEnumChecker") // List.of is unmodifiable; the checker knows only Guava's immutable types
    final java.util.List<String> flags;
    final int firstKey;
    final int lastKey;
    final int step;
    final String group;
    final String summary;
    /** Flagged readonly: its key lookups count as keyspace hits and misses. */
    final boolean readonly;

    CommandSpec(int arity, String flags, int firstKey, int lastKey, int step, String group, String summary) {
        this.arity = arity;
        this.flags = flags.isEmpty() ? java.util.List.of() : java.util.List.of(flags.split(" ", -1));
        this.firstKey = firstKey;
        this.lastKey = lastKey;
        this.step = step;
        this.group = group;
        this.summary = summary;
        this.readonly = this.flags.contains("readonly");
    }

    /** The command called {@code name} in any case, or null. */
    static CommandSpec find(byte[] name) {
        if (name.length == 3) { // the hottest two, without building a String per request
            if (is(name, GET_BYTES)) return GET;
            if (is(name, SET_BYTES)) return SET;
        }
        if (name.length > 16) return null;
        return BY_NAME.get(new String(name, java.nio.charset.StandardCharsets.ISO_8859_1).toUpperCase(Locale.ROOT));
    }

    private static final byte[] GET_BYTES = {'G', 'E', 'T'};
    private static final byte[] SET_BYTES = {'S', 'E', 'T'};

    private static boolean is(byte[] name, byte[] upper) {
        for (int i = 0; i < upper.length; i++) if ((name[i] & ~0x20) != upper[i]) return false;
        return true;
    }

    String lowerName() {
        return name().toLowerCase(Locale.ROOT);
    }

    boolean arityFits(int args) {
        return arity >= 0 ? args == arity : args >= -arity;
    }

    boolean hasFlag(String flag) {
        for (String f : flags) if (f.equals(flag)) return true;
        return false;
    }
}
