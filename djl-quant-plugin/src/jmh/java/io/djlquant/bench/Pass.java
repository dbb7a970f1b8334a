package io.djlquant.bench;

/** One forward pass of a model on a (batch, 3, side, side) input, its result fully materialized. */
interface Pass {
    void run(float[] x, int batch, int side);
}
