package dev.mcpcontain.profile;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** A byte count written in profiles as {@code 512M}, {@code 2G}, {@code 64k} or a plain number of bytes. */
public record ByteSize(long bytes) {

    public ByteSize {
        if (bytes <= 0) {
            throw new IllegalArgumentException("size must be positive, got " + bytes);
        }
    }

    @JsonCreator
    public static ByteSize parse(Object value) {
        if (value instanceof Number n) {
            return new ByteSize(n.longValue());
        }
        String text = String.valueOf(value).trim();
        if (text.isEmpty()) {
            throw new IllegalArgumentException("empty size");
        }
        char unit = Character.toUpperCase(text.charAt(text.length() - 1));
        long multiplier = switch (unit) {
            case 'K' -> 1L << 10;
            case 'M' -> 1L << 20;
            case 'G' -> 1L << 30;
            case 'T' -> 1L << 40;
            default -> 1;
        };
        String digits = multiplier == 1 ? text : text.substring(0, text.length() - 1);
        try {
            return new ByteSize(Math.multiplyExact(Long.parseLong(digits), multiplier));
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("'" + text + "' is not a size (examples: 65536, 512K, 256M, 2G)");
        }
    }

    @JsonValue
    public String toString() {
        String[] units = {"T", "G", "M", "K"};
        int[] shifts = {40, 30, 20, 10};
        for (int i = 0; i < units.length; i++) {
            long unit = 1L << shifts[i];
            if (bytes % unit == 0) {
                return (bytes / unit) + units[i];
            }
        }
        return Long.toString(bytes);
    }

}
