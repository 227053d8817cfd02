#include "tac/twin/twin_accuracy.hpp"

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include <algorithm>

namespace tac::twin {

void seg_accuracy_from_confusion(const at::Tensor& confusion, TwinAccuracy& out) {
  const at::Tensor c = confusion.to(at::kDouble).contiguous();
  const auto a = c.accessor<double, 2>();
  double total = 0, correct = 0, iou_sum = 0;
  int present = 0;
  for (int k = 0; k < 5; ++k) {
    double row = 0, col = 0;
    for (int j = 0; j < 5; ++j) {
      row += a[k][j];
      col += a[j][k];
      total += a[k][j];
    }
    correct += a[k][k];
    out.present[static_cast<std::size_t>(k)] = row > 0;
    const double uni = row + col - a[k][k];
    out.iou[static_cast<std::size_t>(k)] = uni > 0 ? a[k][k] / uni : 0.0;
    if (row > 0) {
      iou_sum += out.iou[static_cast<std::size_t>(k)];
      ++present;
    }
  }
  out.pixel_accuracy = total > 0 ? correct / total : 0.0;
  out.mean_iou = present > 0 ? iou_sum / present : 0.0;
}

void pose_r2_from_predictions(const at::Tensor& predicted, const at::Tensor& truth, TwinAccuracy& out) {
  const at::Tensor p = predicted.to(at::kDouble), t = truth.to(at::kDouble);
  const at::Tensor sse = (p - t).pow(2).sum(0);                 // (6)
  const at::Tensor sst = (t - t.mean(0, true)).pow(2).sum(0);  // (6)
  const double total_sst = sst.sum().item<double>();
  out.pose_r2 = total_sst > 0 ? 1.0 - sse.sum().item<double>() / total_sst : 0.0;
  for (int c = 0; c < 6; ++c) {
    const double v = sst[c].item<double>();
    out.pose_r2_component[static_cast<std::size_t>(c)] = v > 0 ? 1.0 - sse[c].item<double>() / v : 0.0;
  }
}

TwinAccuracy measure_accuracy(const scorer::nn::SegNetParams& segnet, const scorer::nn::PoseNetParams& posenet,
                              const TwinDataset& data, int batch) {
  at::NoGradGuard no_grad;
  TwinAccuracy out;
  const std::int64_t n = data.size();
  out.samples = n;
  at::Tensor confusion = at::zeros({25}, at::TensorOptions().dtype(at::kLong));
  std::vector<at::Tensor> predictions;
  for (std::int64_t b = 0; b < n; b += batch) {
    const std::int64_t m = std::min<std::int64_t>(batch, n - b);
    const at::Tensor logits = scorer::nn::segnet_forward_train(segnet, data.seg.narrow(0, b, m).to(at::kFloat));
    const at::Tensor predicted = logits.argmax(1);
    const at::Tensor labels = data.labels.narrow(0, b, m).to(at::kLong);
    confusion += at::bincount((labels * 5 + predicted).reshape({-1}), {}, 25);
    predictions.push_back(scorer::nn::posenet_forward_train(posenet, data.pose.narrow(0, b, m).to(at::kFloat)).narrow(1, 0, 6));
  }
  seg_accuracy_from_confusion(confusion.reshape({5, 5}), out);
  pose_r2_from_predictions(at::cat(predictions), data.motion, out);
  return out;
}

nlohmann::json TwinAccuracy::to_json() const {
  nlohmann::json iou_json = nlohmann::json::object();
  static const char* names[5] = {"road", "lane_marking", "undrivable", "movable", "my_car"};
  for (int k = 0; k < 5; ++k)
    if (present[static_cast<std::size_t>(k)]) iou_json[names[k]] = iou[static_cast<std::size_t>(k)];
  return {{"samples", samples},
          {"segnet_pixel_accuracy", pixel_accuracy},
          {"segnet_mean_iou", mean_iou},
          {"segnet_iou", iou_json},
          {"posenet_r2", pose_r2},
          {"posenet_r2_components", std::vector<double>(pose_r2_component.begin(), pose_r2_component.end())}};
}

}  // namespace tac::twin
