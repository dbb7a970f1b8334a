package io.djlquant.imports;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A data-only reader for the Python pickle streams PyTorch writes ({@code data.pkl} in {@code
 * torch.save} and TorchScript archives, protocols 2 to 4).
 *
 * <p>It never loads or runs code: GLOBAL / STACK_GLOBAL, REDUCE, NEWOBJ, BUILD and persistent ids
 * are handed to a {@link Resolver}, which allows only the names a PyTorch file needs and decides
 * what they mean (tensors, ordered dicts, module objects as plain {@link PyObject}s). The opcodes
 * that exist to construct arbitrary objects (INST, OBJ, NEWOBJ_EX, EXT1/2/4) and all others this
 * reader does not know are rejected with their offset rather than guessed. The reader is iterative
 * (no recursion), and every object it creates costs at least one byte of the stream, so memory is
 * bounded by the stream's length; unhashable dictionary keys (lists, dicts) are refused so that a
 * self-containing structure can never be hashed.
 */
final class PickleReader {

    /** A {@code module.name} reference found in the stream; nothing is imported. */
    record Global(String module, String name) {
        @Override
        public String toString() {
            return module + "." + name;
        }
    }

    /** An instance created by REDUCE or NEWOBJ of a class the resolver does not interpret. */
    static final class PyObject {
        final Global type;
        final Object[] args;
        Object state;

        PyObject(Global type, Object[] args) {
            this.type = type;
            this.args = args;
        }
    }

    /**
     * Interprets the constructs that need outside knowledge (torch's tensor rebuilding) and decides
     * which names are allowed at all. Each method throws {@link InvalidArchiveException} to refuse.
     */
    interface Resolver {
        /**
         * @return what a GLOBAL / STACK_GLOBAL reference {@code module.name} stands for
         */
        Object global(String module, String name);

        /**
         * @return the object for a BINPERSID id (a tuple, as {@code Object[]})
         */
        Object persistentLoad(Object pid);

        /**
         * @return the result of calling {@code callable(*args)} for REDUCE
         */
        Object reduce(Object callable, Object[] args);

        /**
         * @return the result of {@code cls.__new__(cls, *args)} for NEWOBJ
         */
        Object newObject(Object cls, Object[] args);

        /** Applies BUILD ({@code target.__setstate__(state)}). */
        void build(Object target, Object state);
    }

    private static final Object MARK = new Object();

    /** Opcodes that build objects of any class (or from the copyreg extension registry). */
    private static final Map<Integer, String> OBJECT_OPCODES =
            Map.of(
                    (int) 'i',
                    "INST",
                    (int) 'o',
                    "OBJ",
                    0x92,
                    "NEWOBJ_EX",
                    0x82,
                    "EXT1",
                    0x83,
                    "EXT2",
                    0x84,
                    "EXT4");

    private final ByteBuffer in;
    private final Resolver resolver;
    private final List<Object> stack = new ArrayList<>();
    private final List<Integer> marks = new ArrayList<>();
    private final Map<Long, Object> memo = new HashMap<>();

    private PickleReader(byte[] data, Resolver resolver) {
        this.in = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        this.resolver = resolver;
    }

    /**
     * Reads one pickled object.
     *
     * @param data the pickle bytes
     * @param resolver interprets persistent ids and REDUCE
     * @return the unpickled object: String, Long, Double, Boolean, null, byte[], List (list),
     *     Object[] (tuple), Map (dict, insertion ordered), {@link Global}, {@link PyObject} or
     *     whatever the resolver returned
     * @throws InvalidArchiveException if the stream is malformed, uses an unsupported opcode or the
     *     resolver refuses it
     */
    static Object read(byte[] data, Resolver resolver) {
        return new PickleReader(data, resolver).run();
    }

    private Object run() {
        while (true) {
            if (!in.hasRemaining()) {
                throw bad("stream ends without STOP");
            }
            int pos = in.position();
            int op = in.get() & 0xff;
            switch (op) {
                case 0x80: // PROTO
                    int proto = u8();
                    if (proto > 5) {
                        throw bad("unsupported pickle protocol " + proto);
                    }
                    break;
                case 0x95: // FRAME: only a length hint
                    bytes(8);
                    break;
                case '.': // STOP
                    return pop();
                case '(':
                    marks.add(stack.size());
                    stack.add(MARK);
                    break;
                case '0': // POP
                    pop();
                    break;
                case '1': // POP_MARK
                    popMark();
                    break;
                case '2': // DUP
                    push(peek());
                    break;
                case 'N':
                    push(null);
                    break;
                case 0x88:
                    push(Boolean.TRUE);
                    break;
                case 0x89:
                    push(Boolean.FALSE);
                    break;
                case 'J': // BININT
                    push((long) in(4).getInt());
                    break;
                case 'K': // BININT1
                    push((long) u8());
                    break;
                case 'M': // BININT2
                    push((long) (in(2).getShort() & 0xffff));
                    break;
                case 0x8a: // LONG1
                    push(littleEndianLong(bytes(u8())));
                    break;
                case 0x8b: // LONG4
                    push(littleEndianLong(bytes(length(in(4).getInt()))));
                    break;
                case 'G': // BINFLOAT, big-endian
                    push(ByteBuffer.wrap(bytes(8)).order(ByteOrder.BIG_ENDIAN).getDouble());
                    break;
                case 'X': // BINUNICODE
                    push(utf8(length(in(4).getInt())));
                    break;
                case 0x8c: // SHORT_BINUNICODE
                    push(utf8(u8()));
                    break;
                case 0x8d: // BINUNICODE8
                    push(utf8(length(in(8).getLong())));
                    break;
                case 'T': // BINSTRING (python 2 str)
                    push(new String(bytes(length(in(4).getInt())), StandardCharsets.ISO_8859_1));
                    break;
                case 'U': // SHORT_BINSTRING
                    push(new String(bytes(u8()), StandardCharsets.ISO_8859_1));
                    break;
                case 'B': // BINBYTES
                    push(bytes(length(in(4).getInt())));
                    break;
                case 'C': // SHORT_BINBYTES
                    push(bytes(u8()));
                    break;
                case ')':
                    push(new Object[0]);
                    break;
                case 't':
                    push(popMark().toArray());
                    break;
                case 0x85:
                    push(new Object[] {pop()});
                    break;
                case 0x86:
                    {
                        Object b = pop();
                        Object a = pop();
                        push(new Object[] {a, b});
                        break;
                    }
                case 0x87:
                    {
                        Object c = pop();
                        Object b = pop();
                        Object a = pop();
                        push(new Object[] {a, b, c});
                        break;
                    }
                case ']':
                    push(new ArrayList<>());
                    break;
                case 'l':
                    push(new ArrayList<>(popMark()));
                    break;
                case 'a':
                    {
                        Object v = pop();
                        list(peek()).add(v);
                        break;
                    }
                case 'e':
                    {
                        List<Object> items = popMark();
                        list(peek()).addAll(items);
                        break;
                    }
                case '}':
                    push(new LinkedHashMap<>());
                    break;
                case 'd':
                    {
                        Map<Object, Object> d = new LinkedHashMap<>();
                        putAll(d, popMark());
                        push(d);
                        break;
                    }
                case 's':
                    {
                        Object v = pop();
                        Object k = hashable(pop());
                        dict(peek()).put(k, v);
                        break;
                    }
                case 'u':
                    {
                        List<Object> items = popMark();
                        putAll(dict(peek()), items);
                        break;
                    }
                case 'c':
                    { // GLOBAL
                        String module = line();
                        push(resolver.global(module, line()));
                        break;
                    }
                case 0x93:
                    { // STACK_GLOBAL
                        Object name = pop();
                        Object module = pop();
                        push(resolver.global(str(module), str(name)));
                        break;
                    }
                case 'R':
                    { // REDUCE
                        Object[] args = tuple(pop());
                        Object callable = pop();
                        push(resolver.reduce(callable, args));
                        break;
                    }
                case 0x81:
                    { // NEWOBJ
                        Object[] args = tuple(pop());
                        push(resolver.newObject(pop(), args));
                        break;
                    }
                case 'b':
                    { // BUILD
                        Object state = pop();
                        resolver.build(peek(), state);
                        break;
                    }
                case 'i':
                case 'o':
                case 0x92:
                case 0x82:
                case 0x83:
                case 0x84:
                    throw bad(
                            "pickle opcode "
                                    + OBJECT_OPCODES.get(op)
                                    + " at offset "
                                    + pos
                                    + " constructs arbitrary objects; a data-only reader refuses"
                                    + " it");
                case 'Q': // BINPERSID
                    push(resolver.persistentLoad(pop()));
                    break;
                case 'q':
                    memo.put((long) u8(), peek());
                    break;
                case 'r':
                    memo.put(in(4).getInt() & 0xffffffffL, peek());
                    break;
                case 0x94: // MEMOIZE
                    memo.put((long) memo.size(), peek());
                    break;
                case 'h':
                    push(memoGet(u8()));
                    break;
                case 'j':
                    push(memoGet(in(4).getInt() & 0xffffffffL));
                    break;
                default:
                    throw bad(
                            String.format(
                                    "unsupported pickle opcode 0x%02x at offset %d", op, pos));
            }
        }
    }

    private void push(Object o) {
        stack.add(o);
    }

    private Object pop() {
        if (stack.isEmpty() || stack.get(stack.size() - 1) == MARK) {
            throw bad("pickle stack underflow at offset " + in.position());
        }
        return stack.remove(stack.size() - 1);
    }

    private Object peek() {
        if (stack.isEmpty() || stack.get(stack.size() - 1) == MARK) {
            throw bad("pickle stack underflow at offset " + in.position());
        }
        return stack.get(stack.size() - 1);
    }

    private List<Object> popMark() {
        if (marks.isEmpty()) {
            throw bad("pickle MARK missing at offset " + in.position());
        }
        int m = marks.remove(marks.size() - 1);
        List<Object> items = new ArrayList<>(stack.subList(m + 1, stack.size()));
        stack.subList(m, stack.size()).clear();
        return items;
    }

    private Object memoGet(long key) {
        if (!memo.containsKey(key)) {
            throw bad("pickle memo key " + key + " undefined at offset " + in.position());
        }
        return memo.get(key);
    }

    private int u8() {
        return in(1).get() & 0xff;
    }

    /** Checks that n bytes remain, so a corrupt length cannot over-read. */
    private ByteBuffer in(int n) {
        if (in.remaining() < n) {
            throw bad(
                    "pickle truncated: need "
                            + n
                            + " bytes at offset "
                            + in.position()
                            + ", "
                            + in.remaining()
                            + " remain");
        }
        return in;
    }

    private int length(long n) {
        if (n < 0 || n > in.remaining()) {
            throw bad(
                    "pickle length "
                            + n
                            + " at offset "
                            + in.position()
                            + " exceeds the "
                            + in.remaining()
                            + " remaining bytes");
        }
        return (int) n;
    }

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        in(n).get(b);
        return b;
    }

    private String utf8(int n) {
        return new String(bytes(n), StandardCharsets.UTF_8);
    }

    private String line() {
        int start = in.position();
        while (in.hasRemaining()) {
            if (in.get() == '\n') {
                byte[] b = Arrays.copyOfRange(in.array(), start, in.position() - 1);
                return new String(b, StandardCharsets.UTF_8);
            }
        }
        throw bad("unterminated GLOBAL name at offset " + start);
    }

    private long littleEndianLong(byte[] b) {
        if (b.length > 8) {
            throw bad("pickle integer wider than 64 bits at offset " + in.position());
        }
        long v = 0;
        for (int i = b.length - 1; i >= 0; i--) {
            v = (v << 8) | (b[i] & 0xff);
        }
        if (b.length > 0 && b.length < 8 && b[b.length - 1] < 0) {
            v |= -1L << (8 * b.length); // sign-extend two's complement
        }
        return v;
    }

    private void putAll(Map<Object, Object> d, List<Object> kv) {
        if (kv.size() % 2 != 0) {
            throw bad("pickle dict items are not key/value pairs at offset " + in.position());
        }
        for (int i = 0; i < kv.size(); i += 2) {
            d.put(hashable(kv.get(i)), kv.get(i + 1));
        }
    }

    /** Python refuses lists and dicts as keys; hashing a self-containing one would not end. */
    private Object hashable(Object key) {
        if (key instanceof List || key instanceof Map) {
            throw bad("unhashable dict key (a list or dict) at offset " + in.position());
        }
        return key;
    }

    @SuppressWarnings("unchecked")
    private List<Object> list(Object o) {
        if (!(o instanceof List)) {
            throw bad("APPEND to a non-list at offset " + in.position());
        }
        return (List<Object>) o;
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> dict(Object o) {
        if (!(o instanceof Map)) {
            throw bad("SETITEM on a non-dict at offset " + in.position());
        }
        return (Map<Object, Object>) o;
    }

    private Object[] tuple(Object o) {
        if (!(o instanceof Object[])) {
            throw bad("expected argument tuple at offset " + in.position());
        }
        return (Object[]) o;
    }

    private String str(Object o) {
        if (!(o instanceof String)) {
            throw bad("expected string at offset " + in.position());
        }
        return (String) o;
    }

    private static InvalidArchiveException bad(String message) {
        return new InvalidArchiveException(message);
    }
}
