package dev.mcpcontain.bundle;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Writes zips byte by byte, so that tests can say exactly what an attacker's archive says: any name, Unix mode,
 * method, and sizes that lie. {@code java.util.zip.ZipOutputStream} can write none of the dangerous ones.
 */
public final class CraftedZip {

    /** One entry: {@code declaredSize} -1 means the true size. */
    public record Entry(String name, byte[] content, int unixMode, boolean deflate, long declaredSize) {}

    private final List<Entry> entries = new ArrayList<>();
    private int overlapLast = -1;

    public CraftedZip file(String name, String content) {
        return add(new Entry(name, content.getBytes(StandardCharsets.UTF_8), 0100644, true, -1));
    }

    public CraftedZip add(Entry entry) {
        entries.add(entry);
        return this;
    }

    /** The last entry's directory record points at the data of the one before it. */
    CraftedZip overlapLast() {
        overlapLast = entries.size() - 1;
        return this;
    }

    public byte[] bytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream central = new ByteArrayOutputStream();
        List<Integer> offsets = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            byte[] name = e.name().getBytes(StandardCharsets.UTF_8);
            byte[] data = e.deflate() ? deflate(e.content()) : e.content();
            CRC32 crc = new CRC32();
            crc.update(e.content());
            long size = e.declaredSize() >= 0 ? e.declaredSize() : e.content().length;
            int offset = out.size();
            offsets.add(offset);
            ByteBuffer local = le(30);
            local.putInt(0x04034b50).putShort((short) 20).putShort((short) 0x0800)
                    .putShort((short) (e.deflate() ? 8 : 0)).putShort((short) 0).putShort((short) 0)
                    .putInt((int) crc.getValue()).putInt(data.length).putInt((int) size)
                    .putShort((short) name.length).putShort((short) 0);
            out.writeBytes(local.array());
            out.writeBytes(name);
            out.writeBytes(data);
            int pointsAt = i == overlapLast ? offsets.get(i - 1) : offset;
            ByteBuffer c = le(46);
            c.putInt(0x02014b50).putShort((short) (3 << 8 | 20)).putShort((short) 20).putShort((short) 0x0800)
                    .putShort((short) (e.deflate() ? 8 : 0)).putShort((short) 0).putShort((short) 0)
                    .putInt((int) crc.getValue()).putInt(data.length).putInt((int) size)
                    .putShort((short) name.length).putShort((short) 0).putShort((short) 0).putShort((short) 0)
                    .putShort((short) 0).putInt(e.unixMode() << 16).putInt(pointsAt);
            central.writeBytes(c.array());
            central.writeBytes(name);
        }
        int cdOffset = out.size();
        out.writeBytes(central.toByteArray());
        ByteBuffer end = le(22);
        end.putInt(0x06054b50).putShort((short) 0).putShort((short) 0).putShort((short) entries.size())
                .putShort((short) entries.size()).putInt(central.size()).putInt(cdOffset).putShort((short) 0);
        out.writeBytes(end.array());
        return out.toByteArray();
    }

    private static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    public static byte[] deflate(byte[] content) {
        Deflater deflater = new Deflater(9, true);
        deflater.setInput(content);
        deflater.finish();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        while (!deflater.finished()) {
            out.write(buffer, 0, deflater.deflate(buffer));
        }
        deflater.end();
        return out.toByteArray();
    }
}
