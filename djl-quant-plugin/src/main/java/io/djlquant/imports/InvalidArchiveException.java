package io.djlquant.imports;

/**
 * Thrown inside the importer when a PyTorch archive's content breaks the format or one of the
 * importer's bounds. It is unchecked so that it can leave the pickle interpreter and its resolver
 * callbacks; {@link TorchArchive} turns it into DJL's {@code MalformedModelException} naming the
 * file. Only this type is translated, so an unexpected exception elsewhere stays a visible bug.
 */
final class InvalidArchiveException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    InvalidArchiveException(String message) {
        super(message);
    }

    /** Quotes text taken from a file for an error message (see {@link #printable}). */
    static String quote(String s) {
        return "'" + printable(s) + "'";
    }

    /** Text from a file made safe for a one-line message: control characters escaped, cut at 80. */
    static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length() && i < 80; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                sb.append(String.format("\\x%02x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append(s.length() > 80 ? "..." : "").toString();
    }
}
