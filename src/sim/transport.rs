//! The mock tenant as an in-process transport for the engine: no socket, virtual time.
//! Transport-level faults become what a client would see: a hang is a timeout, a drop or a
//! truncated body a closed connection, a reset a reset.

use crate::engine::transport::{BoxFuture, Delivered, Transport, TransportError};
use crate::scim::message::Request;
use crate::tenant::{Outcome, Tenant};
use std::time::Duration;

/// Sends the engine's requests straight into a [`Tenant`].
pub struct TenantTransport {
    tenant: Tenant,
    timeout: Duration,
}

impl TenantTransport {
    /// A transport into `tenant`; hangs longer than `timeout` time out.
    pub fn new(tenant: Tenant, timeout: Duration) -> Self {
        TenantTransport { tenant, timeout }
    }

    /// The tenant behind it.
    pub fn tenant(&self) -> &Tenant {
        &self.tenant
    }
}

impl Transport for TenantTransport {
    fn send(&self, request: Request) -> BoxFuture<'_, Result<Delivered, TransportError>> {
        let exchange = self.tenant.exchange(request);
        let delay = exchange.delay;
        let result = match exchange.outcome {
            Outcome::Respond(response) => Ok(Delivered {
                response,
                simulated_delay: delay,
            }),
            Outcome::Dribble {
                response,
                chunk,
                interval,
            } => {
                let chunks =
                    u32::try_from(response.body.len().div_ceil(chunk.max(1))).unwrap_or(u32::MAX);
                let slow = delay + interval.saturating_mul(chunks);
                if slow > self.timeout {
                    Err(TransportError::Timeout(self.timeout))
                } else {
                    Ok(Delivered {
                        response,
                        simulated_delay: slow,
                    })
                }
            }
            Outcome::Drop | Outcome::Truncate { .. } => Err(TransportError::Closed),
            Outcome::Reset => Err(TransportError::Reset),
            Outcome::Hang(_) => Err(TransportError::Timeout(self.timeout)),
        };
        Box::pin(std::future::ready(result))
    }

    fn real_time(&self) -> bool {
        false
    }
}
