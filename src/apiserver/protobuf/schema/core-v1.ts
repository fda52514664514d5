// SPDX-License-Identifier: Apache-2.0
/**
 * Protobuf field table of v1 (Kubernetes 1.32): only the messages reachable
 * from the kinds this server decodes. Notation is described in ./field-spec.ts.
 */
import type { SchemaPackage } from './field-spec.js';
import { CORE_V1_VOLUME_MESSAGES } from './core-v1-volumes.js';

/** CORE_V1 lists the v1 messages by name, in the notation of field-spec.ts. */
export const CORE_V1: SchemaPackage = {
  pkg: 'core',
  apiVersion: 'v1',
  kinds: ['Namespace', 'Pod', 'Service', 'Endpoints', 'ConfigMap', 'Secret', 'ServiceAccount', 'Node', 'Event', 'PersistentVolume', 'PersistentVolumeClaim', 'ResourceQuota', 'LimitRange', 'ReplicationController', 'Binding', 'PodTemplate'],
  messages: {
    ...CORE_V1_VOLUME_MESSAGES,
    Affinity: 'nodeAffinity=1:NodeAffinity? podAffinity=2:PodAffinity? podAntiAffinity=3:PodAntiAffinity?',
    AppArmorProfile: 'type=1:string! localhostProfile=2:string?',
    Binding: 'metadata=1:meta.ObjectMeta target=2:ObjectReference!',
    Capabilities: 'add=1:[]string drop=2:[]string',
    ClientIPConfig: 'timeoutSeconds=1:int32?',
    ConfigMap: 'metadata=1:meta.ObjectMeta immutable=4:bool? data=2:{string} binaryData=3:{bytes}',
    ConfigMapEnvSource: '*=1:LocalObjectReference! optional=2:bool?',
    ConfigMapKeySelector: '*=1:LocalObjectReference! key=2:string! optional=3:bool?',
    ConfigMapNodeConfigSource:
      'namespace=1:string! name=2:string! uid=3:string resourceVersion=4:string kubeletConfigKey=5:string!',
    Container:
      'name=1:string! image=2:string command=3:[]string args=4:[]string workingDir=5:string ' +
      'ports=6:[]ContainerPort envFrom=19:[]EnvFromSource env=7:[]EnvVar resources=8:ResourceRequirements ' +
      'resizePolicy=23:[]ContainerResizePolicy restartPolicy=24:string? volumeMounts=9:[]VolumeMount ' +
      'volumeDevices=21:[]VolumeDevice livenessProbe=10:Probe? readinessProbe=11:Probe? ' +
      'startupProbe=22:Probe? lifecycle=12:Lifecycle? terminationMessagePath=13:string ' +
      'terminationMessagePolicy=20:string imagePullPolicy=14:string securityContext=15:SecurityContext? ' +
      'stdin=16:bool stdinOnce=17:bool tty=18:bool',
    ContainerImage: 'names=1:[]string sizeBytes=2:int64',
    ContainerPort:
      'name=1:string hostPort=2:int32 containerPort=3:int32! protocol=4:string hostIP=5:string',
    ContainerResizePolicy: 'resourceName=1:string! restartPolicy=2:string!',
    ContainerState:
      'waiting=1:ContainerStateWaiting? running=2:ContainerStateRunning? ' +
      'terminated=3:ContainerStateTerminated?',
    ContainerStateRunning: 'startedAt=1:time',
    ContainerStateTerminated:
      'exitCode=1:int32! signal=2:int32 reason=3:string message=4:string startedAt=5:time finishedAt=6:time ' +
      'containerID=7:string',
    ContainerStateWaiting: 'reason=1:string message=2:string',
    ContainerStatus:
      'name=1:string! state=2:ContainerState lastState=3:ContainerState ready=4:bool! restartCount=5:int32! ' +
      'image=6:string! imageID=7:string! containerID=8:string started=9:bool? ' +
      'allocatedResources=10:{quantity} resources=11:ResourceRequirements? ' +
      'volumeMounts=12:[]VolumeMountStatus user=13:ContainerUser? ' +
      'allocatedResourcesStatus=14:[]ResourceStatus',
    ContainerUser: 'linux=1:LinuxContainerUser?',
    DaemonEndpoint: 'Port=1:int32!',
    EndpointAddress: 'ip=1:string! hostname=3:string nodeName=4:string? targetRef=2:ObjectReference?',
    EndpointPort: 'name=1:string port=2:int32! protocol=3:string appProtocol=4:string?',
    Endpoints: 'metadata=1:meta.ObjectMeta subsets=2:[]EndpointSubset',
    EndpointSubset:
      'addresses=1:[]EndpointAddress notReadyAddresses=2:[]EndpointAddress ports=3:[]EndpointPort',
    EnvFromSource: 'prefix=1:string configMapRef=2:ConfigMapEnvSource? secretRef=3:SecretEnvSource?',
    EnvVar: 'name=1:string! value=2:string valueFrom=3:EnvVarSource?',
    EnvVarSource:
      'fieldRef=1:ObjectFieldSelector? resourceFieldRef=2:ResourceFieldSelector? ' +
      'configMapKeyRef=3:ConfigMapKeySelector? secretKeyRef=4:SecretKeySelector?',
    EphemeralContainer: '*=1:EphemeralContainerCommon! targetContainerName=2:string',
    EphemeralContainerCommon:
      'name=1:string! image=2:string command=3:[]string args=4:[]string workingDir=5:string ' +
      'ports=6:[]ContainerPort envFrom=19:[]EnvFromSource env=7:[]EnvVar resources=8:ResourceRequirements ' +
      'resizePolicy=23:[]ContainerResizePolicy restartPolicy=24:string? volumeMounts=9:[]VolumeMount ' +
      'volumeDevices=21:[]VolumeDevice livenessProbe=10:Probe? readinessProbe=11:Probe? ' +
      'startupProbe=22:Probe? lifecycle=12:Lifecycle? terminationMessagePath=13:string ' +
      'terminationMessagePolicy=20:string imagePullPolicy=14:string securityContext=15:SecurityContext? ' +
      'stdin=16:bool stdinOnce=17:bool tty=18:bool',
    Event:
      'metadata=1:meta.ObjectMeta! involvedObject=2:ObjectReference! reason=3:string message=4:string ' +
      'source=5:EventSource firstTimestamp=6:time lastTimestamp=7:time count=8:int32 type=9:string ' +
      'eventTime=10:microtime series=11:EventSeries? action=12:string related=13:ObjectReference? ' +
      'reportingComponent=14:string! reportingInstance=15:string!',
    EventSeries: 'count=1:int32 lastObservedTime=2:microtime',
    EventSource: 'component=1:string host=2:string',
    ExecAction: 'command=1:[]string',
    GRPCAction: 'port=1:int32! service=2:string?',
    HostAlias: 'ip=1:string! hostnames=2:[]string',
    HostIP: 'ip=1:string!',
    HTTPGetAction:
      'path=1:string port=2:intorstring! host=3:string scheme=4:string httpHeaders=5:[]HTTPHeader',
    HTTPHeader: 'name=1:string! value=2:string!',
    Lifecycle: 'postStart=1:LifecycleHandler? preStop=2:LifecycleHandler?',
    LifecycleHandler:
      'exec=1:ExecAction? httpGet=2:HTTPGetAction? tcpSocket=3:TCPSocketAction? sleep=4:SleepAction?',
    LimitRange: 'metadata=1:meta.ObjectMeta spec=2:LimitRangeSpec',
    LimitRangeItem:
      'type=1:string! max=2:{quantity} min=3:{quantity} default=4:{quantity} defaultRequest=5:{quantity} ' +
      'maxLimitRequestRatio=6:{quantity}',
    LimitRangeSpec: 'limits=1:[]LimitRangeItem',
    LinuxContainerUser: 'uid=1:int64! gid=2:int64! supplementalGroups=3:[]int64',
    LoadBalancerIngress: 'ip=1:string hostname=2:string ipMode=3:string? ports=4:[]PortStatus',
    LoadBalancerStatus: 'ingress=1:[]LoadBalancerIngress',
    LocalObjectReference: 'name=1:string',
    Namespace: 'metadata=1:meta.ObjectMeta spec=2:NamespaceSpec status=3:NamespaceStatus',
    NamespaceCondition:
      'type=1:string! status=2:string! lastTransitionTime=4:time reason=5:string message=6:string',
    NamespaceSpec: 'finalizers=1:[]string',
    NamespaceStatus: 'phase=1:string conditions=2:[]NamespaceCondition',
    Node: 'metadata=1:meta.ObjectMeta spec=2:NodeSpec status=3:NodeStatus',
    NodeAddress: 'type=1:string! address=2:string!',
    NodeAffinity:
      'requiredDuringSchedulingIgnoredDuringExecution=1:NodeSelector? ' +
      'preferredDuringSchedulingIgnoredDuringExecution=2:[]PreferredSchedulingTerm',
    NodeCondition:
      'type=1:string! status=2:string! lastHeartbeatTime=3:time lastTransitionTime=4:time reason=5:string ' +
      'message=6:string',
    NodeConfigSource: 'configMap=2:ConfigMapNodeConfigSource?',
    NodeConfigStatus:
      'assigned=1:NodeConfigSource? active=2:NodeConfigSource? lastKnownGood=3:NodeConfigSource? ' +
      'error=4:string',
    NodeDaemonEndpoints: 'kubeletEndpoint=1:DaemonEndpoint',
    NodeFeatures: 'supplementalGroupsPolicy=1:bool?',
    NodeRuntimeHandler: 'name=1:string! features=2:NodeRuntimeHandlerFeatures?',
    NodeRuntimeHandlerFeatures: 'recursiveReadOnlyMounts=1:bool? userNamespaces=2:bool?',
    NodeSelector: 'nodeSelectorTerms=1:[]NodeSelectorTerm',
    NodeSelectorRequirement: 'key=1:string! operator=2:string! values=3:[]string',
    NodeSelectorTerm:
      'matchExpressions=1:[]NodeSelectorRequirement matchFields=2:[]NodeSelectorRequirement',
    NodeSpec:
      'podCIDR=1:string podCIDRs=7:[]string providerID=3:string unschedulable=4:bool taints=5:[]Taint ' +
      'configSource=6:NodeConfigSource? externalID=2:string',
    NodeStatus:
      'capacity=1:{quantity} allocatable=2:{quantity} phase=3:string conditions=4:[]NodeCondition ' +
      'addresses=5:[]NodeAddress daemonEndpoints=6:NodeDaemonEndpoints nodeInfo=7:NodeSystemInfo ' +
      'images=8:[]ContainerImage volumesInUse=9:[]string volumesAttached=10:[]AttachedVolume ' +
      'config=11:NodeConfigStatus? runtimeHandlers=12:[]NodeRuntimeHandler features=13:NodeFeatures?',
    NodeSystemInfo:
      'machineID=1:string! systemUUID=2:string! bootID=3:string! kernelVersion=4:string! osImage=5:string! ' +
      'containerRuntimeVersion=6:string! kubeletVersion=7:string! kubeProxyVersion=8:string! ' +
      'operatingSystem=9:string! architecture=10:string!',
    ObjectFieldSelector: 'apiVersion=1:string fieldPath=2:string!',
    ObjectReference:
      'kind=1:string namespace=2:string name=3:string uid=4:string apiVersion=5:string ' +
      'resourceVersion=6:string fieldPath=7:string',
    Pod: 'metadata=1:meta.ObjectMeta spec=2:PodSpec status=3:PodStatus',
    PodAffinity:
      'requiredDuringSchedulingIgnoredDuringExecution=1:[]PodAffinityTerm ' +
      'preferredDuringSchedulingIgnoredDuringExecution=2:[]WeightedPodAffinityTerm',
    PodAffinityTerm:
      'labelSelector=1:meta.LabelSelector? namespaces=2:[]string topologyKey=3:string! ' +
      'namespaceSelector=4:meta.LabelSelector? matchLabelKeys=5:[]string mismatchLabelKeys=6:[]string',
    PodAntiAffinity:
      'requiredDuringSchedulingIgnoredDuringExecution=1:[]PodAffinityTerm ' +
      'preferredDuringSchedulingIgnoredDuringExecution=2:[]WeightedPodAffinityTerm',
    PodCondition:
      'type=1:string! status=2:string! lastProbeTime=3:time lastTransitionTime=4:time reason=5:string ' +
      'message=6:string',
    PodDNSConfig: 'nameservers=1:[]string searches=2:[]string options=3:[]PodDNSConfigOption',
    PodDNSConfigOption: 'name=1:string value=2:string?',
    PodIP: 'ip=1:string!',
    PodOS: 'name=1:string!',
    PodReadinessGate: 'conditionType=1:string!',
    PodResourceClaim: 'name=1:string! resourceClaimName=3:string? resourceClaimTemplateName=4:string?',
    PodResourceClaimStatus: 'name=1:string! resourceClaimName=2:string?',
    PodSchedulingGate: 'name=1:string!',
    PodSecurityContext:
      'seLinuxOptions=1:SELinuxOptions? windowsOptions=8:WindowsSecurityContextOptions? runAsUser=2:int64? ' +
      'runAsGroup=6:int64? runAsNonRoot=3:bool? supplementalGroups=4:[]int64 ' +
      'supplementalGroupsPolicy=12:string? fsGroup=5:int64? sysctls=7:[]Sysctl fsGroupChangePolicy=9:string? ' +
      'seccompProfile=10:SeccompProfile? appArmorProfile=11:AppArmorProfile? seLinuxChangePolicy=13:string?',
    PodSpec:
      'volumes=1:[]Volume initContainers=20:[]Container containers=2:[]Container ' +
      'ephemeralContainers=34:[]EphemeralContainer restartPolicy=3:string ' +
      'terminationGracePeriodSeconds=4:int64? activeDeadlineSeconds=5:int64? dnsPolicy=6:string ' +
      'nodeSelector=7:{string} serviceAccountName=8:string serviceAccount=9:string ' +
      'automountServiceAccountToken=21:bool? nodeName=10:string hostNetwork=11:bool hostPID=12:bool ' +
      'hostIPC=13:bool shareProcessNamespace=27:bool? securityContext=14:PodSecurityContext? ' +
      'imagePullSecrets=15:[]LocalObjectReference hostname=16:string subdomain=17:string ' +
      'affinity=18:Affinity? schedulerName=19:string tolerations=22:[]Toleration hostAliases=23:[]HostAlias ' +
      'priorityClassName=24:string priority=25:int32? dnsConfig=26:PodDNSConfig? ' +
      'readinessGates=28:[]PodReadinessGate runtimeClassName=29:string? enableServiceLinks=30:bool? ' +
      'preemptionPolicy=31:string? overhead=32:{quantity} ' +
      'topologySpreadConstraints=33:[]TopologySpreadConstraint setHostnameAsFQDN=35:bool? os=36:PodOS? ' +
      'hostUsers=37:bool? schedulingGates=38:[]PodSchedulingGate resourceClaims=39:[]PodResourceClaim ' +
      'resources=40:ResourceRequirements?',
    PodStatus:
      'phase=1:string conditions=2:[]PodCondition message=3:string reason=4:string ' +
      'nominatedNodeName=11:string hostIP=5:string hostIPs=16:[]HostIP podIP=6:string podIPs=12:[]PodIP ' +
      'startTime=7:time? initContainerStatuses=10:[]ContainerStatus containerStatuses=8:[]ContainerStatus ' +
      'qosClass=9:string ephemeralContainerStatuses=13:[]ContainerStatus resize=14:string ' +
      'resourceClaimStatuses=15:[]PodResourceClaimStatus',
    PodTemplate: 'metadata=1:meta.ObjectMeta template=2:PodTemplateSpec',
    PodTemplateSpec: 'metadata=1:meta.ObjectMeta spec=2:PodSpec',
    PortStatus: 'port=1:int32! protocol=2:string! error=3:string?',
    PreferredSchedulingTerm: 'weight=1:int32! preference=2:NodeSelectorTerm!',
    Probe:
      '*=1:ProbeHandler! initialDelaySeconds=2:int32 timeoutSeconds=3:int32 periodSeconds=4:int32 ' +
      'successThreshold=5:int32 failureThreshold=6:int32 terminationGracePeriodSeconds=7:int64?',
    ProbeHandler:
      'exec=1:ExecAction? httpGet=2:HTTPGetAction? tcpSocket=3:TCPSocketAction? grpc=4:GRPCAction?',
    ReplicationController:
      'metadata=1:meta.ObjectMeta spec=2:ReplicationControllerSpec status=3:ReplicationControllerStatus',
    ReplicationControllerCondition:
      'type=1:string! status=2:string! lastTransitionTime=3:time reason=4:string message=5:string',
    ReplicationControllerSpec:
      'replicas=1:int32? minReadySeconds=4:int32 selector=2:{string} template=3:PodTemplateSpec?',
    ReplicationControllerStatus:
      'replicas=1:int32! fullyLabeledReplicas=2:int32 readyReplicas=4:int32 availableReplicas=5:int32 ' +
      'observedGeneration=3:int64 conditions=6:[]ReplicationControllerCondition',
    ResourceClaim: 'name=1:string! request=2:string',
    ResourceFieldSelector: 'containerName=1:string resource=2:string! divisor=3:quantity',
    ResourceHealth: 'resourceID=1:string! health=2:string',
    ResourceQuota: 'metadata=1:meta.ObjectMeta spec=2:ResourceQuotaSpec status=3:ResourceQuotaStatus',
    ResourceQuotaSpec: 'hard=1:{quantity} scopes=2:[]string scopeSelector=3:ScopeSelector?',
    ResourceQuotaStatus: 'hard=1:{quantity} used=2:{quantity}',
    ResourceRequirements: 'limits=1:{quantity} requests=2:{quantity} claims=3:[]ResourceClaim',
    ResourceStatus: 'name=1:string! resources=2:[]ResourceHealth',
    ScopedResourceSelectorRequirement: 'scopeName=1:string! operator=2:string! values=3:[]string',
    ScopeSelector: 'matchExpressions=1:[]ScopedResourceSelectorRequirement',
    SeccompProfile: 'type=1:string! localhostProfile=2:string?',
    Secret:
      'metadata=1:meta.ObjectMeta immutable=5:bool? data=2:{bytes} stringData=4:{string} type=3:string',
    SecretEnvSource: '*=1:LocalObjectReference! optional=2:bool?',
    SecretKeySelector: '*=1:LocalObjectReference! key=2:string! optional=3:bool?',
    SecretReference: 'name=1:string namespace=2:string',
    SecurityContext:
      'capabilities=1:Capabilities? privileged=2:bool? seLinuxOptions=3:SELinuxOptions? ' +
      'windowsOptions=10:WindowsSecurityContextOptions? runAsUser=4:int64? runAsGroup=8:int64? ' +
      'runAsNonRoot=5:bool? readOnlyRootFilesystem=6:bool? allowPrivilegeEscalation=7:bool? ' +
      'procMount=9:string? seccompProfile=11:SeccompProfile? appArmorProfile=12:AppArmorProfile?',
    SELinuxOptions: 'user=1:string role=2:string type=3:string level=4:string',
    Service: 'metadata=1:meta.ObjectMeta spec=2:ServiceSpec status=3:ServiceStatus',
    ServiceAccount:
      'metadata=1:meta.ObjectMeta secrets=2:[]ObjectReference imagePullSecrets=3:[]LocalObjectReference ' +
      'automountServiceAccountToken=4:bool?',
    ServicePort:
      'name=1:string protocol=2:string appProtocol=6:string? port=3:int32! targetPort=4:intorstring ' +
      'nodePort=5:int32',
    ServiceSpec:
      'ports=1:[]ServicePort selector=2:{string} clusterIP=3:string clusterIPs=18:[]string type=4:string ' +
      'externalIPs=5:[]string sessionAffinity=7:string loadBalancerIP=8:string ' +
      'loadBalancerSourceRanges=9:[]string externalName=10:string externalTrafficPolicy=11:string ' +
      'healthCheckNodePort=12:int32 publishNotReadyAddresses=13:bool ' +
      'sessionAffinityConfig=14:SessionAffinityConfig? ipFamilies=19:[]string ipFamilyPolicy=17:string? ' +
      'allocateLoadBalancerNodePorts=20:bool? loadBalancerClass=21:string? internalTrafficPolicy=22:string? ' +
      'trafficDistribution=23:string?',
    ServiceStatus: 'loadBalancer=1:LoadBalancerStatus conditions=2:[]meta.Condition',
    SessionAffinityConfig: 'clientIP=1:ClientIPConfig?',
    SleepAction: 'seconds=1:int64!',
    Sysctl: 'name=1:string! value=2:string!',
    Taint: 'key=1:string! value=2:string effect=3:string! timeAdded=4:time?',
    TCPSocketAction: 'port=1:intorstring! host=2:string',
    Toleration: 'key=1:string operator=2:string value=3:string effect=4:string tolerationSeconds=5:int64?',
    TopologySelectorLabelRequirement: 'key=1:string! values=2:[]string',
    TopologySelectorTerm: 'matchLabelExpressions=1:[]TopologySelectorLabelRequirement',
    TopologySpreadConstraint:
      'maxSkew=1:int32! topologyKey=2:string! whenUnsatisfiable=3:string! ' +
      'labelSelector=4:meta.LabelSelector? minDomains=5:int32? nodeAffinityPolicy=6:string? ' +
      'nodeTaintsPolicy=7:string? matchLabelKeys=8:[]string',
    TypedLocalObjectReference: 'apiGroup=1:string? kind=2:string! name=3:string!',
    TypedObjectReference: 'apiGroup=1:string? kind=2:string! name=3:string! namespace=4:string?',
    WeightedPodAffinityTerm: 'weight=1:int32! podAffinityTerm=2:PodAffinityTerm!',
    WindowsSecurityContextOptions:
      'gmsaCredentialSpecName=1:string? gmsaCredentialSpec=2:string? runAsUserName=3:string? ' +
      'hostProcess=4:bool?',
  },
};
