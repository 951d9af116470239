"""Seeds the test bed's moto server with the cluster's network and the EC2 instances behind the fake kwok nodes.

Runs with the moto venv's python (boto3 comes with moto). Waits for moto to answer, then, in moto's default
VPC (the cluster's VPC):
- tags the default subnets of the first `zones` availability zones `kubernetes.io/role/elb=1` (public, where
  the nodes run) and adds one subnet per zone tagged `kubernetes.io/role/internal-elb=1` (internal), all four
  tagged `kubernetes.io/cluster/<cluster>=owned`, as an EKS cluster's subnets are for load balancer discovery;
- makes sure `count` instances tagged tgsync-testbed=node exist, spread over those zones' default subnets.
Prints one line per instance: name, availability zone, instance id, private IP; and writes the network to
`network_out`: `vpc <id>`, then `subnet <id> <zone> <public|internal>` per subnet.
Running it twice against the same moto reuses what it made the first time.
"""

import sys
import time

import boto3
import botocore.exceptions

TAG = "tgsync-testbed"


def wait_for_moto(ec2, timeout_s):
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            ec2.describe_regions()
            return
        except (botocore.exceptions.EndpointConnectionError, botocore.exceptions.ConnectionClosedError):
            if time.monotonic() > deadline:
                raise SystemExit(f"seed: moto did not answer within {timeout_s}s")
            time.sleep(0.2)


# Internal subnets go after moto's default ones (172.31.0.0/20 .. 172.31.80.0/20, one per zone of us-east-1).
INTERNAL_CIDRS = ["172.31.160.0/20", "172.31.176.0/20", "172.31.192.0/20", "172.31.208.0/20"]


def tag_network(ec2, cluster, azs):
    """Tags the zones' default subnets public, adds an internal one per zone; returns (vpc, [(id, az, role)])."""
    vpc = next((v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"] if v.get("IsDefault")), None)
    if vpc is None:
        raise SystemExit("seed: moto has no default VPC")
    defaults = ec2.describe_subnets(Filters=[{"Name": "default-for-az", "Values": ["true"]}])["Subnets"]
    public_by_az = {s["AvailabilityZone"]: s["SubnetId"] for s in defaults}
    missing = [az for az in azs if az not in public_by_az]
    if missing:
        raise SystemExit(f"seed: moto has no default subnet in {missing}")
    ours = {"Key": f"kubernetes.io/cluster/{cluster}", "Value": "owned"}
    ec2.create_tags(
        Resources=[public_by_az[az] for az in azs],
        Tags=[{"Key": "kubernetes.io/role/elb", "Value": "1"}, ours],
    )
    internal = ec2.describe_subnets(
        Filters=[{"Name": "vpc-id", "Values": [vpc]}, {"Name": "tag:kubernetes.io/role/internal-elb", "Values": ["1"]}]
    )["Subnets"]
    internal_by_az = {s["AvailabilityZone"]: s["SubnetId"] for s in internal}
    if len(azs) > len(INTERNAL_CIDRS):
        raise SystemExit(f"seed: at most {len(INTERNAL_CIDRS)} zones")
    for az, cidr in zip(azs, INTERNAL_CIDRS):
        if az in internal_by_az:
            continue
        internal_by_az[az] = ec2.create_subnet(
            VpcId=vpc,
            CidrBlock=cidr,
            AvailabilityZone=az,
            TagSpecifications=[
                {
                    "ResourceType": "subnet",
                    "Tags": [
                        {"Key": "kubernetes.io/role/internal-elb", "Value": "1"},
                        ours,
                        {"Key": "Name", "Value": f"{TAG}-internal-{az}"},
                    ],
                }
            ],
        )["Subnet"]["SubnetId"]
    subnets = [(public_by_az[az], az, "public") for az in azs] + [(internal_by_az[az], az, "internal") for az in azs]
    return vpc, subnets


def main():
    endpoint, region, count, zones = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    cluster, network_out = sys.argv[5], sys.argv[6]
    ec2 = boto3.client(
        "ec2",
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    wait_for_moto(ec2, 60)
    azs = sorted(
        z["ZoneName"]
        for z in ec2.describe_availability_zones()["AvailabilityZones"]
        if z.get("State", "available") == "available"
    )[:zones]
    vpc, network = tag_network(ec2, cluster, azs)
    with open(network_out, "w") as f:
        f.write(f"vpc {vpc}\n")
        for subnet, az, role in network:
            f.write(f"subnet {subnet} {az} {role}\n")

    existing = ec2.describe_instances(
        Filters=[
            {"Name": f"tag:{TAG}", "Values": ["node"]},
            {"Name": "instance-state-name", "Values": ["pending", "running"]},
        ]
    )
    instances = [i for r in existing["Reservations"] for i in r["Instances"]]
    if len(instances) < count:
        subnet_by_az = {az: subnet for subnet, az, role in network if role == "public"}
        images = ec2.describe_images(Owners=["amazon"])["Images"]
        if not images:
            raise SystemExit("seed: moto lists no AMI to launch the node instances from")
        image_id = sorted(i["ImageId"] for i in images)[0]
        for n in range(len(instances), count):
            az = azs[n % len(azs)]
            ec2.run_instances(
                ImageId=image_id,
                InstanceType="m5.large",
                MinCount=1,
                MaxCount=1,
                SubnetId=subnet_by_az[az],
                TagSpecifications=[
                    {
                        "ResourceType": "instance",
                        "Tags": [
                            {"Key": TAG, "Value": "node"},
                            {"Key": "Name", "Value": f"{TAG}-node-{n}"},
                        ],
                    }
                ],
            )
        existing = ec2.describe_instances(Filters=[{"Name": f"tag:{TAG}", "Values": ["node"]}])
        instances = [i for r in existing["Reservations"] for i in r["Instances"]]

    instances.sort(key=lambda i: next(t["Value"] for t in i["Tags"] if t["Key"] == "Name"))
    for i in instances[:count]:
        ip = i["PrivateIpAddress"]
        az = i["Placement"]["AvailabilityZone"]
        name = "ip-" + ip.replace(".", "-") + (".ec2.internal" if region == "us-east-1" else f".{region}.compute.internal")
        print(name, az, i["InstanceId"], ip)


if __name__ == "__main__":
    main()
