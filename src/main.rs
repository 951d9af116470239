fn main() {
    println!("tgsync");
}
