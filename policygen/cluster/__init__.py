"""A local Kubernetes control plane for real admission: etcd and kube-apiserver on loopback."""

from .control_plane import LocalCluster
from .processes import ClusterError

__all__ = ["LocalCluster", "ClusterError"]
