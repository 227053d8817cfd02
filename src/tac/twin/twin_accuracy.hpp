#pragma once
// Internal to tac_twin (torch): how well twin networks see held-out frames.
#include "tac/scorer/posenet.hpp"
#include "tac/scorer/segnet.hpp"
#include "tac/twin/twin_dataset.hpp"
#include "tac/twin/twin_training.hpp"

namespace tac::twin {

// SegNet pixel accuracy and IoU per class from its argmax; PoseNet R² of its first six outputs
// against the true motion. Networks in eval mode (running BatchNorm statistics), no gradients.
TwinAccuracy measure_accuracy(const scorer::nn::SegNetParams& segnet, const scorer::nn::PoseNetParams& posenet,
                              const TwinDataset& data, int batch = 4);

// The same from a confusion matrix (5 x 5 counts, [label][prediction]) and motion predictions.
void seg_accuracy_from_confusion(const at::Tensor& confusion, TwinAccuracy& out);
void pose_r2_from_predictions(const at::Tensor& predicted, const at::Tensor& truth, TwinAccuracy& out);  // (N, 6) each

}  // namespace tac::twin
