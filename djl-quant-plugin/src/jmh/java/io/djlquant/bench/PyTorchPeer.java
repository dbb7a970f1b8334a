package io.djlquant.bench;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The PyTorch peer ({@code bench/peer/torch_resnet18.py --serve}) as a child process that times its
 * fp32 and oneDNN int8 ResNet18 on request. The JVM asks for a few passes, waits (idle) for the
 * answer and then runs its own passes, so both sides alternate on the same machine state instead of
 * running minutes apart. Messages are JSON lines (Gson); the peer measures its own passes.
 */
final class PyTorchPeer implements AutoCloseable {

    /** Where the script lives relative to the repository root. */
    static final String SCRIPT = "bench/peer/torch_resnet18.py";

    private final Process process;
    private final BufferedReader out;
    private final BufferedWriter in;
    private final JsonObject ready;
    private final Gson gson = new Gson();

    private PyTorchPeer(Process process, JsonObject ready, BufferedReader out, BufferedWriter in) {
        this.process = process;
        this.ready = ready;
        this.out = out;
        this.in = in;
    }

    /**
     * Starts the peer and waits until its models are built and its oneDNN int8 path is verified.
     *
     * @param python the interpreter, e.g. /usr/bin/python3 (Debian's, with python3-torch)
     * @param script the script, or null to look for {@link #SCRIPT} upwards from the working dir
     */
    static PyTorchPeer start(String python, Path script, int threads, int calib)
            throws IOException {
        Path s = script != null ? script : findScript();
        List<String> cmd =
                List.of(
                        python,
                        s.toString(),
                        "--serve",
                        "--threads",
                        Integer.toString(threads),
                        "--calib",
                        Integer.toString(calib));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        // Its warnings go to our console; stdout carries only the protocol.
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        Process p = pb.start();
        BufferedReader out =
                new BufferedReader(
                        new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        BufferedWriter in =
                new BufferedWriter(
                        new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8));
        JsonObject ready = readEvent(out, p, cmd.toString());
        if (!"ready".equals(ready.get("event").getAsString())) {
            p.destroy();
            throw new IOException("PyTorch peer did not start: " + ready);
        }
        return new PyTorchPeer(p, ready, out, in);
    }

    private static Path findScript() throws IOException {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path s = d.resolve(SCRIPT);
            if (Files.isRegularFile(s)) {
                return s;
            }
        }
        throw new IOException(
                SCRIPT
                        + " not found above "
                        + Path.of("").toAbsolutePath()
                        + "; pass peerScript=<path>");
    }

    private static JsonObject readEvent(BufferedReader out, Process p, String what)
            throws IOException {
        String line = out.readLine();
        if (line == null) {
            int code;
            try {
                code = p.waitFor(10, TimeUnit.SECONDS) ? p.exitValue() : -1;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                code = -1;
            }
            throw new IOException(
                    "PyTorch peer "
                            + what
                            + " exited (code "
                            + code
                            + ") without answering (its error is above; the interpreter needs torch"
                            + " and torchvision: Debian's is /usr/bin/python3)");
        }
        JsonObject o;
        try {
            o = JsonParser.parseString(line).getAsJsonObject();
        } catch (JsonParseException | IllegalStateException e) {
            throw new IOException(
                    "PyTorch peer wrote a line that is not a JSON object: " + line, e);
        }
        if (!o.has("event")) {
            throw new IOException("PyTorch peer message without \"event\": " + line);
        }
        if ("error".equals(o.get("event").getAsString())) {
            throw new IOException("PyTorch peer error: " + o.get("message"));
        }
        return o;
    }

    /** The peer's "ready" message: versions, threads, oneDNN ISA and executed int8 convolutions. */
    JsonObject info() {
        return ready;
    }

    /** The peer's model names, in the order it runs them. */
    List<String> variants() {
        List<String> v = new ArrayList<>();
        for (JsonElement e : ready.getAsJsonArray("variants")) {
            v.add(e.getAsString());
        }
        return v;
    }

    /** Per-variant milliseconds of the timed passes: wall clock and the peer process's CPU time. */
    record Times(Map<String, double[]> wall, Map<String, double[]> cpu) {}

    /**
     * Runs {@code warmup} untimed and {@code iters} timed passes of every variant (round-robin) on
     * a (batch, 3, side, side) input and returns the timed milliseconds per variant.
     */
    Times run(int side, int batch, int iters, int warmup) throws IOException {
        JsonObject req = new JsonObject();
        req.addProperty("op", "run");
        req.addProperty("size", side);
        req.addProperty("batch", batch);
        req.addProperty("iters", iters);
        req.addProperty("warmup", warmup);
        in.write(gson.toJson(req));
        in.newLine();
        in.flush();
        JsonObject r = readEvent(out, process, "run " + req);
        return new Times(millis(r.getAsJsonObject("times")), millis(r.getAsJsonObject("cpuTimes")));
    }

    private static Map<String, double[]> millis(JsonObject times) {
        Map<String, double[]> result = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : times.entrySet()) {
            JsonArray a = e.getValue().getAsJsonArray();
            double[] t = new double[a.size()];
            for (int i = 0; i < t.length; i++) {
                t[i] = a.get(i).getAsDouble();
            }
            result.put(e.getKey(), t);
        }
        return result;
    }

    @Override
    public void close() throws IOException {
        try {
            in.write("{\"op\": \"quit\"}");
            in.newLine();
            in.flush();
        } catch (IOException e) {
            // Already gone; destroy below.
        }
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroy();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroy();
        }
    }
}
