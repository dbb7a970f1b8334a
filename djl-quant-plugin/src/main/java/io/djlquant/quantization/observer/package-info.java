/**
 * Observers: identity DJL blocks that record tensor statistics and compute {@link
 * io.djlquant.quantization.qparams.QParams} ({@code MinMaxObserver}, {@code
 * MovingAverageMinMaxObserver}, {@code PerChannelMinMaxObserver}, {@code HistogramObserver}, {@code
 * PassiveObserver}).
 */
package io.djlquant.quantization.observer;
