"""Seeds the test bed's moto server with the EC2 instances behind the fake kwok nodes.

Runs with the moto venv's python (boto3 comes with moto). Waits for moto to answer, then makes sure
`count` instances tagged tgsync-testbed=node exist, spread over the region's first availability zones in
moto's default VPC, and prints one line per instance: name, availability zone, instance id, private IP.
Running it twice against the same moto reuses the instances it made the first time.
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


def main():
    endpoint, region, count, zones = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    ec2 = boto3.client(
        "ec2",
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    wait_for_moto(ec2, 60)

    existing = ec2.describe_instances(
        Filters=[
            {"Name": f"tag:{TAG}", "Values": ["node"]},
            {"Name": "instance-state-name", "Values": ["pending", "running"]},
        ]
    )
    instances = [i for r in existing["Reservations"] for i in r["Instances"]]
    if len(instances) < count:
        azs = sorted(
            z["ZoneName"]
            for z in ec2.describe_availability_zones()["AvailabilityZones"]
            if z.get("State", "available") == "available"
        )[:zones]
        subnets = ec2.describe_subnets(Filters=[{"Name": "default-for-az", "Values": ["true"]}])["Subnets"]
        subnet_by_az = {s["AvailabilityZone"]: s["SubnetId"] for s in subnets}
        missing = [az for az in azs if az not in subnet_by_az]
        if missing:
            raise SystemExit(f"seed: moto has no default subnet in {missing}")
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
