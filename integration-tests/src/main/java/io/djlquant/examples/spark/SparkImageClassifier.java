package io.djlquant.examples.spark;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

/**
 * Batch inference on Apache Spark: classifies a folder (or any Hadoop path) of image files with the
 * zoo's int8 ResNet18 on JavaQuant, one model per executor, and writes one CSV row per file (path,
 * class, probability). Executors need only the djl-quant zoo jar and DJL's API: no PyTorch.
 *
 * <pre>
 * spark-submit --class io.djlquant.examples.spark.SparkImageClassifier \
 *     --jars djl-quant-zoo-models.jar,djl-quant-plugin.jar,api.jar,... \
 *     djl-quant-integration-tests.jar hdfs:///images hdfs:///predictions [batch]
 * </pre>
 */
public final class SparkImageClassifier {

    /** Images per {@code batchPredict} call when none is given. */
    public static final int DEFAULT_BATCH = 32;

    private SparkImageClassifier() {}

    /**
     * Classifies image files read with Spark's {@code binaryFile} source.
     *
     * @param files rows with columns {@code path} and {@code content}
     * @param batchSize images per {@code batchPredict} call
     * @return one prediction per file
     */
    public static Dataset<Prediction> classify(Dataset<Row> files, int batchSize) {
        return files.select("path", "content")
                .mapPartitions(new ClassifyPartition(batchSize), Encoders.bean(Prediction.class));
    }

    /**
     * Reads every image file under a path, classifies them and writes CSV.
     *
     * @param spark the session
     * @param input a folder of image files (PNG, JPEG, ...)
     * @param output the CSV folder to write (replaced)
     * @param batchSize images per {@code batchPredict} call
     * @return the number of files classified
     */
    public static long run(SparkSession spark, String input, String output, int batchSize) {
        Dataset<Row> files =
                spark.read().format("binaryFile").option("recursiveFileLookup", "true").load(input);
        Dataset<Prediction> predictions = classify(files, batchSize).cache();
        predictions
                .select("path", "className", "probability")
                .write()
                .mode(SaveMode.Overwrite)
                .option("header", "true")
                .csv(output);
        long n = predictions.count();
        predictions.unpersist();
        return n;
    }

    /**
     * Command line: {@code input output [batch]}.
     *
     * @param args the arguments
     */
    public static void main(String[] args) {
        if (args.length < 2 || args.length > 3) {
            System.err.println(
                    "usage: SparkImageClassifier <input folder> <output folder> [batch size]");
            System.exit(2);
        }
        int batch = args.length == 3 ? Integer.parseInt(args[2]) : DEFAULT_BATCH;
        SparkSession spark =
                SparkSession.builder().appName("djl-quant int8 image classification").getOrCreate();
        try {
            long n = run(spark, args[0], args[1], batch);
            System.out.println("classified " + n + " files into " + args[1]);
        } finally {
            spark.stop();
        }
    }
}
