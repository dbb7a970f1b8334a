package io.djlquant.examples.spark;

import java.io.Serializable;

/** One classified image file: a Java bean, so Spark's bean encoder can store it in a Dataset. */
public class Prediction implements Serializable {

    private static final long serialVersionUID = 1L;

    private String path;
    private String className;
    private double probability;

    /** Creates an empty prediction (for the encoder). */
    public Prediction() {}

    /**
     * Creates a prediction.
     *
     * @param path the image file
     * @param className the best class
     * @param probability its probability
     */
    public Prediction(String path, String className, double probability) {
        this.path = path;
        this.className = className;
        this.probability = probability;
    }

    /**
     * @return the image file
     */
    public String getPath() {
        return path;
    }

    /**
     * @param path the image file
     */
    public void setPath(String path) {
        this.path = path;
    }

    /**
     * @return the best class
     */
    public String getClassName() {
        return className;
    }

    /**
     * @param className the best class
     */
    public void setClassName(String className) {
        this.className = className;
    }

    /**
     * @return the probability of the best class
     */
    public double getProbability() {
        return probability;
    }

    /**
     * @param probability the probability of the best class
     */
    public void setProbability(double probability) {
        this.probability = probability;
    }
}
